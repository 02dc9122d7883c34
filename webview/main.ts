/**
 * The policy panel. State (filter, search, pages, last report) survives hide and reload through
 * getState/setState; the host re-sends the report on `ready`. Every dataset string reaches the DOM as
 * text (see dom.ts).
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { HostToPanelMessage } from '../extension/shared/messages';
import { buildPanelView, initialPanelState, POLICIES_PER_PAGE, type OriginFilter } from '../extension/shared/panelViewModel';
import { custom, el } from './dom';
import { metricGrid, policyCard } from './policyCard';
import { onHostMessage, vscode, type PersistedState } from './vscodeApi';

let state: PersistedState = vscode.getState() ?? { panel: initialPanelState(), report: null, stale: false };
let focus: { policyId: string; line?: number } | undefined;
let progress: { running: boolean; fraction?: number; stage?: string } = { running: false };

const app = document.getElementById('app') as HTMLElement;
const status = el('div', { className: 'status', attrs: { role: 'status' } });
const content = el('div', { className: 'content' });

function save(): void {
  vscode.setState(state);
}

function update(panel: Partial<PersistedState['panel']>): void {
  state = { ...state, panel: { ...state.panel, ...panel } };
  save();
  render();
}

function toolbar(): HTMLElement {
  const search = custom('vscode-textfield', { attrs: { placeholder: 'Search rules and lines', 'aria-label': 'Search rules and lines', value: state.panel.query } }) as HTMLElement & { value: string };
  search.addEventListener('input', () => update({ query: search.value, policyPage: 0 }));
  const origin = custom('vscode-single-select', { attrs: { 'aria-label': 'Which policies' } }) as HTMLElement & { value: string };
  for (const [value, label] of [['all', 'All policies'], ['extracted', 'Extracted'], ['hypothesis', 'Hypotheses']] as const) {
    const option = custom('vscode-option', { attrs: { value } }, label);
    if (state.panel.origin === value) option.setAttribute('selected', '');
    origin.append(option);
  }
  origin.addEventListener('change', () => update({ origin: origin.value as OriginFilter, policyPage: 0 }));
  const run = custom('vscode-button', { onClick: () => vscode.postMessage({ type: 'runAudit' }) }, 'Run audit');
  const exportButton = custom('vscode-button', { attrs: { secondary: '' }, onClick: () => vscode.postMessage({ type: 'exportReport' }) }, 'Export report');
  return el('div', { className: 'toolbar' }, search, origin, run, exportButton);
}

function renderStatus(): void {
  status.replaceChildren();
  if (progress.running) {
    const bar = custom('vscode-progress-bar', { attrs: { 'aria-label': 'Audit progress' } });
    status.append(el('span', {}, `Auditing${progress.stage ? ` (${progress.stage})` : ''}… ${progress.fraction !== undefined ? `${Math.round(progress.fraction * 100)}%` : ''}`), bar);
  }
  if (state.stale) status.append(el('p', { className: 'stale' }, `These results are stale: ${state.staleReason ?? 'the data or model changed'}. Run the audit again.`));
}

function render(): void {
  renderStatus();
  content.replaceChildren();
  const report = state.report;
  if (!report) {
    content.append(el('p', { className: 'empty' }, 'No audit results yet. Run an audit to see the policies your model follows and the training lines behind them.'));
    return;
  }
  const view = buildPanelView(report, state.panel);
  content.append(
    metricGrid(view.summary, 'summary'),
    ...view.warnings.map((w) => el('p', { className: 'warning' }, w)),
    el('p', { className: 'muted' }, `${view.cards.total} of ${view.totalPolicies} policies shown`),
  );
  for (const card of view.cards.items) {
    content.append(
      policyCard(card, {
        openLine: (line) => vscode.postMessage({ type: 'openSource', file: line.file, line: line.line, endLine: line.endLine }),
        setLinePage: (key, page) => update({ linePages: { ...state.panel.linePages, [key]: page } }),
        verify: (policyId) => vscode.postMessage({ type: 'verify', policyId }),
      }, focus?.policyId === card.id),
    );
  }
  if (view.cards.pageCount > 1) {
    const go = (page: number): void => update({ policyPage: page });
    content.append(
      el(
        'div',
        { className: 'pager' },
        custom('vscode-button', { attrs: { secondary: '' }, onClick: () => view.cards.page > 0 && go(view.cards.page - 1) }, '‹ Previous policies'),
        el('span', {}, `${view.cards.page + 1} / ${view.cards.pageCount}`),
        custom('vscode-button', { attrs: { secondary: '' }, onClick: () => view.cards.page < view.cards.pageCount - 1 && go(view.cards.page + 1) }, 'Next policies ›'),
      ),
    );
  }
  vscode.postMessage({ type: 'rendered', policyCount: view.cards.items.length });
}

function focusPolicy(policyId: string, line?: number): void {
  const policies = state.report?.policies?.policies ?? [];
  const index = policies.findIndex((p) => p.id === policyId);
  if (index < 0) return;
  focus = { policyId, line };
  update({ query: '', origin: 'all', policyPage: Math.floor(index / POLICIES_PER_PAGE) });
  const card = content.querySelector<HTMLElement>(`[data-policy-id="${CSS.escape(policyId)}"]`);
  card?.scrollIntoView({ block: 'start' });
  if (line !== undefined) card?.querySelector<HTMLElement>(`button.line[data-line="${line}"]`)?.classList.add('focused');
}

onHostMessage((message: HostToPanelMessage) => {
  switch (message.type) {
    case 'report':
      state = { ...state, report: message.report, stale: message.stale, staleReason: message.staleReason };
      save();
      render();
      if (focus) focusPolicy(focus.policyId, focus.line);
      return;
    case 'progress':
      progress = { running: message.running, fraction: message.fraction, stage: message.stage };
      renderStatus();
      return;
    case 'focusPolicy':
      focusPolicy(message.policyId, message.line);
      return;
  }
});

app.append(toolbar(), status, content);
render();
vscode.postMessage({ type: 'ready' });
