/** A fixed-width text table of a policy set for the CLI and logs. */
import type { Policy, PolicySet } from '../report/schema';

interface Column {
  title: string;
  align: 'left' | 'right';
  value(policy: Policy, index: number): string;
}

const percent = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
const MAX_RULE_WIDTH = 72;

const COLUMNS: Column[] = [
  { title: '#', align: 'right', value: (_, i) => String(i + 1) },
  { title: 'rule', align: 'left', value: (p) => truncate(p.rule, MAX_RULE_WIDTH) + (p.describesDefault ? ' °' : '') },
  { title: 'precision', align: 'right', value: (p) => percent(p.metrics.precision) },
  { title: 'coverage', align: 'right', value: (p) => percent(p.metrics.coverage) },
  { title: 'support', align: 'right', value: (p) => String(p.metrics.support) },
  { title: 'margin', align: 'right', value: (p) => p.metrics.meanMargin.toFixed(2) },
  { title: 'train labels', align: 'right', value: (p) => percent(p.metrics.trainLabelPrecision) },
  { title: 'stability', align: 'right', value: (p) => percent(p.metrics.stability) },
  {
    title: 'flips',
    align: 'right',
    value: (p) => (p.counterfactual?.available && p.counterfactual.edited > 0 ? percent(p.counterfactual.flipRate) : '-'),
  },
];

export function formatPolicyTable(set: PolicySet): string {
  const header =
    `Policies: fidelity ${percent(set.fidelity)}, Cohen's kappa ${set.kappa.toFixed(3)} ` +
    `on ${set.heldOutCount} held-out of ${set.probeCount} probes; default action: ${set.defaultAction}`;
  if (set.policies.length === 0) return `${header}\nNo rule beat the default with confidence.`;
  const cells = set.policies.map((policy, i) => COLUMNS.map((column) => column.value(policy, i)));
  const widths = COLUMNS.map((column, c) => Math.max(column.title.length, ...cells.map((row) => row[c].length)));
  const line = (values: string[]) =>
    values.map((v, c) => (COLUMNS[c].align === 'left' ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ').trimEnd();
  const rows = [line(COLUMNS.map((column) => column.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)];
  const footnote =
    'precision/coverage/support/margin on held-out probes (hypotheses: all probes); margin = mean log p(a|x) − log(1 − p(a|x)) in nats; ' +
    'train labels = share of covered training lines labelled with the action; stability = share of bootstrap resamples that re-learn the rule; ° = describes the default action (not part of the decision list, so fidelity ignores it).';
  return [header, ...rows, footnote].join('\n');
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
