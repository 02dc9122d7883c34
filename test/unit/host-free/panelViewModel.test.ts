import * as assert from 'node:assert/strict';
import { toPanelReport } from '../../../extension/shared/messages';
import { buildPanelView, initialPanelState, LINES_PER_PAGE, paginate, POLICIES_PER_PAGE } from '../../../extension/shared/panelViewModel';
import type { Policy } from '../../../extension/engine/report/schema';
import { loadFixtureReport } from './loadFixture';

describe('panel view-model', () => {
  const report = toPanelReport(loadFixtureReport());

  it('paginates and clamps out-of-range pages', () => {
    const items = Array.from({ length: 12 }, (_, i) => i);
    assert.deepEqual(paginate(items, 1, 5), { items: [5, 6, 7, 8, 9], page: 1, pageCount: 3, total: 12 });
    assert.deepEqual(paginate(items, 99, 5).items, [10, 11]);
    assert.equal(paginate(items, -3, 5).page, 0);
    assert.equal(paginate(items, Number.NaN, 5).page, 0);
    assert.deepEqual(paginate([], 0, 5), { items: [], page: 0, pageCount: 1, total: 0 });
  });
  it('shows every policy with metrics, lines paged by LINES_PER_PAGE', () => {
    const view = buildPanelView(report, initialPanelState());
    assert.equal(view.cards.total, 3);
    const first = view.cards.items[0];
    assert.equal(first.rule, 'contains("free") → spam');
    assert.equal(first.proponents.items.length, LINES_PER_PAGE);
    assert.equal(first.proponents.total, 22);
    assert.equal(first.metrics.find((m) => m.name === 'precision')?.value, '93.0%');
    assert.equal(view.cards.items[2].attributed, false);
  });
  it('moves to another page of lines for one policy only', () => {
    const state = { ...initialPanelState(), linePages: { 'r1:proponents': 4 } };
    const view = buildPanelView(report, state);
    assert.equal(view.cards.items[0].proponents.page, 4);
    assert.equal(view.cards.items[0].proponents.items.length, 2);
    assert.equal(view.cards.items[1].proponents.page, 0);
  });
  it('filters by origin', () => {
    const view = buildPanelView(report, { ...initialPanelState(), origin: 'hypothesis' });
    assert.deepEqual(view.cards.items.map((c) => c.id), ['h1']);
  });
  it('search on rule text keeps all lines; search on line text keeps only matching lines', () => {
    const byRule = buildPanelView(report, { ...initialPanelState(), query: 'PRIZE' });
    const r2 = byRule.cards.items.find((c) => c.id === 'r2');
    assert.equal(r2?.proponents.total, 6);
    const r1 = byRule.cards.items.find((c) => c.id === 'r1');
    assert.ok(r1 && r1.proponents.total > 0 && r1.proponents.total < 22, 'r1 is shown only through its lines mentioning prize');
    const none = buildPanelView(report, { ...initialPanelState(), query: 'no such text anywhere' });
    assert.equal(none.cards.total, 0);
  });
  it('shows the full-model pathway split and the lines behind the rule’s words, escaped and bounded', () => {
    const base = loadFixtureReport();
    const attribution = base.attribution![0];
    const line = { ...attribution.proponents[0], snippet: '<img src=x onerror=alert(1)> free prize', influence: 0.25 };
    attribution.pathways = { output: 0.3, feature: -0.1, proponents: 1, allLines: { output: -512, feature: 7 } };
    attribution.fullModel = {
      method: 'test',
      scale: { unit: 'u', explanation: 'e.' },
      proponents: [{ ...line, influence: 0.4, outputPathway: 0.3, featurePathway: 0.1, relativeInfluence: 2 }],
      conceptNote: 'The concept pathway leaves out "zorblaxian": not in the model\'s vocabulary (encoded as the unknown token).',
      concept: { words: ['free'], param: 'embed.weight', method: 'm', scale: { unit: 'u', explanation: 'e.' }, proponents: [line], opponents: [{ ...line, influence: -0.5 }] },
    };
    const card = buildPanelView(toPanelReport(base), initialPanelState()).cards.items[0];
    assert.match(card.fullModel!.pathways!, /^Through all layers, the strongest proponent: output pathway \(the head\) \+0\.3000 \(75%\), feature pathway \(earlier layers\) −0\.1000 \(25%\)\. Over every training line: output −512\.0+, feature \+7\.0+ /);
    assert.equal(card.fullModel!.concept!.title, 'Lines that taught the model what "free" means');
    assert.equal(card.fullModel!.concept!.proponents[0].influence, '+0.2500');
    assert.equal(card.fullModel!.concept!.opponents[0].line, line.line);
    assert.equal(card.fullModel!.proponents!.lines[0].influence, '+0.4000');
    assert.equal(card.fullModel!.proponents!.explanation, 'u: e.');
    assert.match(card.fullModel!.conceptNote!, /leaves out "zorblaxian"/);
    // The snippet stays text: the webview sets it with textContent; the view model only bounds it.
    assert.ok(card.fullModel!.concept!.proponents[0].snippet.includes('<img'));
    assert.equal(buildPanelView(report, initialPanelState()).cards.items[0].fullModel, undefined, 'no full-model section without full-model results');
  });

  it('pages policy cards', () => {
    const many = { ...report, policies: { ...report.policies!, policies: Array.from({ length: 20 }, (_, i): Policy => ({ ...report.policies!.policies[0], id: `p${i}` })) } };
    const view = buildPanelView(many, { ...initialPanelState(), policyPage: 2 });
    assert.equal(view.cards.pageCount, Math.ceil(20 / POLICIES_PER_PAGE));
    assert.equal(view.cards.items[0].label, `P${2 * POLICIES_PER_PAGE + 1}`);
  });
  it('makes hostile snippets visible and bounded', () => {
    const view = buildPanelView(report, { ...initialPanelState(), query: 'hostile' });
    const all = view.cards.items.flatMap((c) => [...c.proponents.items, ...c.opponents.items]);
    assert.ok(all.length === 0 || all.every((l) => l.snippet.length < 400));
    const rtl = buildPanelView(report, { ...initialPanelState(), query: 'ezirp' }).cards.items[0].proponents.items[0];
    assert.match(rtl.snippet, /⟨U\+202E⟩ezirp⟨U\+202C⟩/);
  });
});
