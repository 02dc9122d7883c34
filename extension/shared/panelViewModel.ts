/**
 * The policy panel's view-model: which policy cards and which lines are on screen for a given filter,
 * search text and page. Pure and DOM-free, so paging and filtering are unit-tested; the webview only
 * turns this into elements (with textContent).
 */
import type { AttributedLine, GroupScore, Policy, PolicyAttribution, ScoreScale, SourceRef, Verification } from '../engine/report/schema';
import { baseName, displaySnippet } from './displayText';
import type { PanelReport } from './messages';
import { formatNumber, formatShare, formatSigned, prettyRule } from './scoreFormat';
import { describePathways } from '../engine/report/pathwayText';

export type OriginFilter = 'all' | 'extracted' | 'hypothesis';

export interface PanelState {
  query: string;
  origin: OriginFilter;
  /** 0-based page of policy cards. */
  policyPage: number;
  /** 0-based page of lines per policy id and side. */
  linePages: Record<string, number>;
}

export const POLICIES_PER_PAGE = 8;
export const LINES_PER_PAGE = 5;
export const GROUP_BARS_PER_KIND = 6;

export function initialPanelState(): PanelState {
  return { query: '', origin: 'all', policyPage: 0, linePages: {} };
}

export interface Page<T> {
  items: T[];
  /** 0-based, clamped to the available pages. */
  page: number;
  pageCount: number;
  total: number;
}

export function paginate<T>(items: readonly T[], page: number, pageSize: number): Page<T> {
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  const clamped = Math.min(Math.max(0, Math.floor(Number.isFinite(page) ? page : 0)), pageCount - 1);
  return { items: items.slice(clamped * pageSize, (clamped + 1) * pageSize), page: clamped, pageCount, total: items.length };
}

export interface LineView extends FullModelLineView {
  deltaAdherence: string;
  deltaStrength: string;
  /** Relative influence, the order lines are listed in (absent in reports made before it existed). */
  relativeInfluence?: string;
}

export interface GroupBarView {
  kind: GroupScore['kind'];
  name: string;
  lines: number;
  deltaAdherence: string;
  /** Bar length in [0, 1]: |Δ adherence| relative to the largest in this kind. */
  width: number;
  negative: boolean;
}

export interface MetricView {
  name: string;
  value: string;
  title: string;
}

/** A line attributed through all layers (full-model gradients): where it is and one signed score. */
export interface FullModelLineView {
  file: string;
  fileName: string;
  line: number;
  endLine: number;
  snippet: string;
  label?: string;
  influence: string;
}

/** What full-model gradients add to a card: the pathway split and the lines behind the rule's words. */
export interface FullModelView {
  pathways?: string;
  /** The strongest supporters through every layer (relative-influence order), with what the scores mean. */
  proponents?: { explanation: string; lines: FullModelLineView[] };
  concept?: { title: string; explanation: string; proponents: FullModelLineView[]; opponents: FullModelLineView[] };
  /** Why the concept section is missing or incomplete. */
  conceptNote?: string;
}

export interface PolicyCardView {
  id: string;
  label: string;
  rule: string;
  action: string;
  origin: Policy['origin'];
  metrics: MetricView[];
  counterfactual?: string;
  attributed: boolean;
  scales?: { deltaAdherence: ScoreScale; deltaStrength: ScoreScale; influence: ScoreScale; relativeInfluence?: ScoreScale };
  proponents: Page<LineView>;
  opponents: Page<LineView>;
  groups: GroupBarView[];
  verification?: Verification;
  concentration?: string;
  fullModel?: FullModelView;
}

export interface PanelView {
  summary: MetricView[];
  cards: Page<PolicyCardView>;
  totalPolicies: number;
  warnings: string[];
}

function fullModelLine(line: SourceRef & { label?: string; snippet: string; influence: number }): FullModelLineView {
  return {
    file: line.file,
    fileName: displaySnippet(baseName(line.file), 80),
    line: line.line,
    endLine: line.endLine,
    snippet: displaySnippet(line.snippet),
    label: line.label === undefined ? undefined : displaySnippet(line.label, 60),
    influence: formatSigned(line.influence, 4),
  };
}

function fullModelView(attribution: PolicyAttribution): FullModelView | undefined {
  if (!attribution.pathways && !attribution.fullModel) return undefined;
  const pathways = attribution.pathways;
  const concept = attribution.fullModel?.concept;
  return {
    ...(pathways && { pathways: describePathways(pathways, (value) => formatSigned(value, 4)) }),
    ...(concept && {
      concept: {
        title: displaySnippet(`Lines that taught the model what ${concept.words.map((w) => JSON.stringify(w)).join(', ')} means`, 200),
        explanation: displaySnippet(`${concept.scale.unit}: ${concept.scale.explanation}`, 400),
        proponents: concept.proponents.slice(0, 10).map(fullModelLine),
        opponents: concept.opponents.slice(0, 10).map(fullModelLine),
      },
    }),
    ...(attribution.fullModel && {
      proponents: {
        explanation: displaySnippet(`${attribution.fullModel.scale.unit}: ${attribution.fullModel.scale.explanation}`, 500),
        lines: attribution.fullModel.proponents.slice(0, 10).map(fullModelLine),
      },
    }),
    ...(attribution.fullModel?.conceptNote && { conceptNote: displaySnippet(attribution.fullModel.conceptNote, 400) }),
  };
}

function lineView(line: AttributedLine): LineView {
  return {
    ...fullModelLine(line),
    deltaAdherence: formatSigned(line.deltaAdherence),
    deltaStrength: formatSigned(line.deltaStrength),
    ...(line.relativeInfluence !== undefined && { relativeInfluence: formatSigned(line.relativeInfluence, 3) }),
  };
}

function policyMetrics(policy: Policy): MetricView[] {
  const m = policy.metrics;
  return [
    { name: 'precision', value: formatShare(m.precision), title: 'Share of covered held-out probes where the model takes the action' },
    { name: 'coverage', value: formatShare(m.coverage), title: 'Share of held-out probes the condition covers' },
    { name: 'adherence', value: formatShare(m.adherence), title: 'Share of covered probes where the model takes the action' },
    { name: 'training labels', value: formatShare(m.trainLabelPrecision), title: 'Share of covered training lines labelled with the action: the model following a rule more than its data is a finding' },
    { name: 'stability', value: formatShare(m.stability), title: 'Share of bootstrap resamples whose learned rule list contains this rule' },
    { name: 'mean margin', value: `${formatNumber(m.meanMargin, 2)} nats`, title: 'Mean of log p(a|x) − log(1 − p(a|x)) over covered probes' },
  ];
}

function groupBars(groups: readonly GroupScore[]): GroupBarView[] {
  const bars: GroupBarView[] = [];
  for (const kind of ['file', 'group', 'concept', 'cluster'] as const) {
    const ofKind = groups.filter((g) => g.kind === kind).sort((a, b) => Math.abs(b.deltaAdherence) - Math.abs(a.deltaAdherence)).slice(0, GROUP_BARS_PER_KIND);
    const max = Math.max(0, ...ofKind.map((g) => Math.abs(g.deltaAdherence)));
    for (const g of ofKind) {
      bars.push({
        kind,
        name: displaySnippet(kind === 'file' ? baseName(g.name) : g.name, 60),
        lines: g.lines,
        deltaAdherence: formatSigned(g.deltaAdherence),
        width: max > 0 ? Math.abs(g.deltaAdherence) / max : 0,
        negative: g.deltaAdherence < 0,
      });
    }
  }
  return bars;
}

function matches(text: string | undefined, needle: string): boolean {
  return text !== undefined && text.toLowerCase().includes(needle);
}

function lineMatches(line: AttributedLine, needle: string): boolean {
  return matches(line.snippet, needle) || matches(line.label, needle) || matches(`${baseName(line.file)}:${line.line}`, needle);
}

/**
 * Builds what is on screen. Search: a policy whose id, rule or action matches shows all its lines; a
 * policy that matches only through some of its lines shows just those lines; others are hidden.
 */
export function buildPanelView(report: PanelReport, state: PanelState): PanelView {
  const needle = state.query.trim().toLowerCase();
  const policies = report.policies?.policies ?? [];
  const attributionById = new Map<string, PolicyAttribution>(report.attribution.map((a) => [a.policyId, a]));
  const cards: PolicyCardView[] = [];
  policies.forEach((policy, index) => {
    if (state.origin !== 'all' && policy.origin !== state.origin) return;
    const attribution = attributionById.get(policy.id);
    let proponents = attribution?.proponents ?? [];
    let opponents = attribution?.opponents ?? [];
    if (needle && !(matches(policy.id, needle) || matches(policy.rule, needle) || matches(prettyRule(policy.rule), needle) || matches(policy.action, needle))) {
      proponents = proponents.filter((line) => lineMatches(line, needle));
      opponents = opponents.filter((line) => lineMatches(line, needle));
      if (proponents.length === 0 && opponents.length === 0) return;
    }
    cards.push({
      id: policy.id,
      label: `P${index + 1}`,
      rule: displaySnippet(prettyRule(policy.rule), 300),
      action: displaySnippet(policy.action, 80),
      origin: policy.origin,
      metrics: policyMetrics(policy),
      counterfactual: policy.counterfactual ? `${formatShare(policy.counterfactual.flipRate)} of ${policy.counterfactual.edited} edited probes flipped: ${displaySnippet(policy.counterfactual.description, 200)}` : undefined,
      attributed: attribution !== undefined,
      scales: attribution?.scales,
      proponents: paginate(proponents.map(lineView), state.linePages[`${policy.id}:proponents`] ?? 0, LINES_PER_PAGE),
      opponents: paginate(opponents.map(lineView), state.linePages[`${policy.id}:opponents`] ?? 0, LINES_PER_PAGE),
      groups: groupBars(attribution?.groups ?? []),
      verification: attribution?.verification,
      concentration: attribution ? displaySnippet(attribution.concentration.summary, 300) : undefined,
      fullModel: attribution ? fullModelView(attribution) : undefined,
    });
  });
  const set = report.policies;
  const summary: MetricView[] = set
    ? [
        { name: 'fidelity', value: formatShare(set.fidelity), title: 'Agreement of the rule list with the model on held-out probes' },
        { name: 'κ', value: formatNumber(set.kappa, 2), title: "Cohen's kappa between the rule list and the model on held-out probes" },
        { name: 'default', value: displaySnippet(set.defaultAction, 60), title: 'Action when no rule applies' },
        { name: 'probes', value: `${set.heldOutCount} held out / ${set.probeCount}`, title: 'Probe inputs used to learn and to check the rules' },
      ]
    : [];
  return {
    summary,
    cards: paginate(cards, state.policyPage, POLICIES_PER_PAGE),
    totalPolicies: policies.length,
    warnings: report.warnings.map((w) => displaySnippet(w, 400)),
  };
}
