/** One policy card: rule, metrics, top proponent/opponent lines (paged), group bars, verification. */
import { LINES_PER_PAGE, type FullModelLineView, type LineView, type MetricView, type Page, type PolicyCardView } from '../extension/shared/panelViewModel';
import { formatSigned } from '../extension/shared/scoreFormat';
import { custom, el } from './dom';
import { verificationChart } from './verificationChart';

export interface CardActions {
  openLine(line: Pick<LineView, 'file' | 'line' | 'endLine'>): void;
  setLinePage(key: string, page: number): void;
  verify(policyId: string): void;
}

function pager(page: Page<unknown>, onPage: (page: number) => void, label: string): HTMLElement | null {
  if (page.pageCount <= 1) return null;
  const button = (text: string, target: number, disabled: boolean): HTMLElement => {
    const b = custom('vscode-button', { attrs: { secondary: '', 'aria-label': `${label}: ${text}` }, onClick: () => !disabled && onPage(target) }, text);
    if (disabled) b.setAttribute('disabled', '');
    return b;
  };
  return el('div', { className: 'pager' }, button('‹', page.page - 1, page.page === 0), el('span', {}, `${page.page + 1} / ${page.pageCount} (${page.total})`), button('›', page.page + 1, page.page >= page.pageCount - 1));
}

function lineList(card: PolicyCardView, side: 'proponents' | 'opponents', actions: CardActions): HTMLElement {
  const page = card[side];
  const scale = card.scales?.deltaAdherence;
  const heading = side === 'proponents' ? 'Lines that teach it (they push the model toward it)' : 'Lines that oppose it (they push the model away from it)';
  const list = el('ol', { className: 'lines', attrs: { start: String(page.page * LINES_PER_PAGE + 1) } });
  for (const line of page.items) {
    const row = el(
      'button',
      {
        className: 'line',
        title: `Open ${line.fileName}:${line.line}`,
        attrs: { 'data-file': line.file, 'data-line': String(line.line) },
        onClick: () => actions.openLine(line),
      },
      el('span', { className: 'where' }, `${line.fileName}:${line.line}`),
      el('span', { className: 'label' }, line.label ?? ''),
      el('span', { className: 'score', title: scale ? `${scale.unit}: ${scale.explanation}` : 'Δ adherence if removed' }, line.deltaAdherence),
      el('span', { className: 'score secondary', title: card.scales ? `${card.scales.deltaStrength.unit}: ${card.scales.deltaStrength.explanation}` : 'Δ strength if removed' }, `${line.deltaStrength} nats`),
      line.relativeInfluence !== undefined
        ? el('span', { className: 'score secondary', title: card.scales?.relativeInfluence ? `${card.scales.relativeInfluence.unit}: ${card.scales.relativeInfluence.explanation}` : 'relative influence' }, `rel ${line.relativeInfluence}`)
        : null,
      el('span', { className: 'snippet' }, line.snippet),
    );
    list.append(el('li', {}, row));
  }
  return el(
    'section',
    { className: `side ${side}` },
    el('h4', {}, heading),
    page.total === 0 ? null : el('div', { className: 'line header', attrs: { 'aria-hidden': 'true' } }, el('span', {}, 'line'), el('span', {}, 'label'), el('span', { title: scale?.explanation ?? '' }, 'Δ adherence'), el('span', {}, 'Δ strength'), el('span', {}, 'text')),
    page.total === 0 ? el('p', { className: 'muted' }, 'none') : list,
    pager(page, (p) => actions.setLinePage(`${card.id}:${side}`, p), heading),
  );
}

function groupBars(card: PolicyCardView): HTMLElement | null {
  if (card.groups.length === 0) return null;
  const rows = card.groups.map((g) => {
    const bar = el('span', { className: `bar ${g.negative ? 'negative' : 'positive'}` });
    bar.style.width = `${Math.round(g.width * 100)}%`;
    return el('div', { className: 'group', title: `${g.kind} "${g.name}": ${g.lines} lines, Δ adherence ${g.deltaAdherence} if removed together` }, el('span', { className: 'kind' }, g.kind), el('span', { className: 'name' }, g.name), el('span', { className: 'track' }, bar), el('span', { className: 'score' }, g.deltaAdherence));
  });
  return el('section', { className: 'groups' }, el('h4', {}, 'Groups (Δ adherence if the whole group were removed)'), ...rows);
}

function verificationBlock(card: PolicyCardView, actions: CardActions): HTMLElement {
  const v = card.verification;
  if (!v) {
    return el('section', { className: 'verification' }, el('h4', {}, 'Verification'), el('p', { className: 'muted' }, 'Not verified yet. '), custom('vscode-button', { attrs: { secondary: '' }, onClick: () => actions.verify(card.id) }, 'Verify by retraining'));
  }
  return el(
    'section',
    { className: 'verification' },
    el('h4', {}, `Verification by retraining (k = ${v.k}): `, el('span', { className: v.verified ? 'verified' : 'not-verified' }, v.verified ? 'verified' : 'not verified')),
    el('p', {}, v.verdict),
    el('p', { className: 'muted' }, `Flagged removal: adherence ${formatSigned(-v.adherenceDropFlagged * 100, 1)} pts; random removal (${v.random.length} seeds: ${v.random.map((r) => r.seed ?? '?').join(', ')}): ${formatSigned(-v.adherenceDropRandomMean * 100, 1)} pts.`),
    verificationChart(v) ?? el('span'),
    el('p', { className: 'legend' }, el('span', { className: 'swatch flagged' }), 'flagged lines removed  ', el('span', { className: 'swatch random' }), 'random lines removed'),
  );
}

function fullModelLines(heading: string, lines: FullModelLineView[], actions: CardActions): HTMLElement {
  const list = el('ol', { className: 'lines' });
  for (const line of lines) {
    const row = el(
      'button',
      { className: 'line', title: `Open ${line.fileName}:${line.line}`, attrs: { 'data-file': line.file, 'data-line': String(line.line) }, onClick: () => actions.openLine(line) },
      el('span', { className: 'where' }, `${line.fileName}:${line.line}`),
      el('span', { className: 'label' }, line.label ?? ''),
      el('span', { className: 'score' }, line.influence),
      el('span', { className: 'snippet' }, line.snippet),
    );
    list.append(el('li', {}, row));
  }
  return el('section', { className: 'side' }, el('h4', {}, heading), lines.length === 0 ? el('p', { className: 'muted' }, 'none') : list);
}

/** Full-model gradients: the output/feature pathway split and the lines behind the rule's words. */
function fullModelBlock(card: PolicyCardView, actions: CardActions): HTMLElement | null {
  const view = card.fullModel;
  if (!view) return null;
  const concept = view.concept;
  return el(
    'section',
    { className: 'full-model' },
    el('h4', {}, 'Full model'),
    view.pathways ? el('p', { className: 'muted' }, view.pathways) : null,
    view.proponents ? el('p', { className: 'caption', title: view.proponents.explanation }, 'Strongest supporters through all layers') : null,
    view.proponents ? fullModelLines('Push toward the policy', view.proponents.lines, actions) : null,
    concept ? el('p', { className: 'caption', title: concept.explanation }, concept.title) : null,
    concept ? fullModelLines('Taught it toward the policy', concept.proponents, actions) : null,
    concept ? fullModelLines('Taught it away from the policy', concept.opponents, actions) : null,
    view.conceptNote ? el('p', { className: 'muted' }, view.conceptNote) : null,
  );
}

/** Name/value tiles; each tile's tooltip says what the number means. */
export function metricGrid(metrics: readonly MetricView[], className: string): HTMLElement {
  return el('div', { className: `metric-grid ${className}` }, ...metrics.map((m) => el('div', { className: 'metric', title: m.title }, el('span', { className: 'name' }, m.name), el('span', { className: 'value' }, m.value))));
}

export function policyCard(card: PolicyCardView, actions: CardActions, focused: boolean): HTMLElement {
  const metrics = metricGrid(card.metrics, 'metrics');
  const badge = custom('vscode-badge', { attrs: { variant: card.origin === 'hypothesis' ? 'counter' : 'default' } }, card.origin);
  return el(
    'article',
    { className: `card${focused ? ' focused' : ''}`, attrs: { id: `policy-${card.id.replace(/[^A-Za-z0-9_-]/g, '_')}`, 'data-policy-id': card.id } },
    el('header', {}, el('span', { className: 'policy-label' }, card.label), el('code', { className: 'rule' }, card.rule), badge),
    metrics,
    card.counterfactual ? el('p', { className: 'muted' }, `Counterfactual: ${card.counterfactual}`) : null,
    card.attributed
      ? el(
          'div',
          { className: 'attribution' },
          card.scales ? el('p', { className: 'caption' }, `Scores: ${card.scales.deltaAdherence.explanation}`) : null,
          card.concentration ? el('p', { className: 'muted' }, card.concentration) : null,
          lineList(card, 'proponents', actions),
          lineList(card, 'opponents', actions),
          groupBars(card),
          fullModelBlock(card, actions),
          verificationBlock(card, actions),
        )
      : el('p', { className: 'muted' }, 'No attribution for this policy (the model may have no usable gradients, or the policy covers no probes).'),
  );
}
