/**
 * The audit report as Markdown (for a pull request, an issue, a CI summary). Every string that came from
 * data or from the model (snippets, labels, file names, rule text, warnings) is made visible, bounded and
 * escaped, so a hostile training line renders as text and never as a link, image or HTML tag.
 */
import { baseName } from '../../shared/displayText';
import { escapeMarkdown, markdownSnippet } from '../../shared/markdownEscape';
import { formatNumber, formatShare, formatSigned, prettyRule } from '../../shared/scoreFormat';
import type { AttributedLine, AuditReport, PolicyAttribution } from './schema';

export interface RenderOptions {
  /** Lines listed per side (proponents / opponents) for each policy. */
  linesPerPolicy?: number;
  /** Characters of each dataset snippet shown. */
  snippetLength?: number;
}

const DEFAULT_LINES = 10;
const DEFAULT_SNIPPET = 160;

function cell(text: string, limit = 120): string {
  return markdownSnippet(text, limit);
}

function lineTable(lines: readonly AttributedLine[], options: Required<RenderOptions>): string[] {
  if (lines.length === 0) return ['_none_', ''];
  const rows = ['| # | line | label | rel. influence | Δ adherence | Δ strength | text |', '|---:|---|---|---:|---:|---:|---|'];
  lines.slice(0, options.linesPerPolicy).forEach((line, i) => {
    rows.push(
      `| ${i + 1} | ${cell(`${baseName(line.file)}:${line.line}`)} | ${line.label === undefined ? '' : cell(line.label, 40)} | ${line.relativeInfluence === undefined ? '' : formatSigned(line.relativeInfluence)} | ${formatSigned(line.deltaAdherence)} | ${formatSigned(line.deltaStrength)} | ${markdownSnippet(line.snippet, options.snippetLength)} |`,
    );
  });
  return [...rows, ''];
}

function attributionSection(attribution: PolicyAttribution, options: Required<RenderOptions>): string[] {
  const out: string[] = [];
  const method = attribution.method;
  out.push(`Attribution: ${escapeMarkdown(`${method.gradients} gradients, ${method.preconditioner} preconditioner, damping ${method.damping.toPrecision(3)}`)}.`);
  out.push(`Δ adherence: ${escapeMarkdown(attribution.scales.deltaAdherence.explanation)}`, '');
  out.push(`Δ strength: ${escapeMarkdown(attribution.scales.deltaStrength.explanation)}`, '');
  if (attribution.scales.relativeInfluence) out.push(`Relative influence: ${escapeMarkdown(attribution.scales.relativeInfluence.explanation)}`, '');
  out.push(
    `Concentration: ${escapeMarkdown(attribution.concentration.summary)}`,
    '',
  );
  out.push('**Top proponents** (they push the model toward the policy)', '', ...lineTable(attribution.proponents, options));
  out.push('**Top opponents** (they push the model away from it)', '', ...lineTable(attribution.opponents, options));
  if (attribution.groups.length > 0) {
    out.push('**Groups**', '', '| kind | name | lines | Δ adherence | Δ strength |', '|---|---|---:|---:|---:|');
    for (const group of attribution.groups.slice(0, 20)) {
      out.push(`| ${group.kind} | ${cell(group.name, 60)} | ${group.lines} | ${formatSigned(group.deltaAdherence)} | ${formatSigned(group.deltaStrength)} |`);
    }
    out.push('');
  }
  const v = attribution.verification;
  if (v) {
    out.push(
      `**Verification by retraining** (k = ${v.k}): ${v.verified ? '✅ verified' : '❌ not verified'} — ${escapeMarkdown(v.verdict)}`,
      '',
      `- removing the ${v.k} flagged lines: adherence ${formatSigned(-v.adherenceDropFlagged)}, strength ${formatSigned(-v.strengthDropFlagged)}`,
      `- removing ${v.k} random lines (mean of ${v.random.length} seeds: ${v.random.map((r) => r.seed ?? '?').join(', ')}): adherence ${formatSigned(-v.adherenceDropRandomMean)}, strength ${formatSigned(-v.strengthDropRandomMean)}`,
      '',
    );
  }
  return out;
}

export function renderMarkdownReport(report: AuditReport, options: RenderOptions = {}): string {
  const opts: Required<RenderOptions> = { linesPerPolicy: options.linesPerPolicy ?? DEFAULT_LINES, snippetLength: options.snippetLength ?? DEFAULT_SNIPPET };
  const out: string[] = ['# PolicyTrace audit', ''];
  out.push(`- created: ${escapeMarkdown(report.createdAt)}`);
  out.push(`- model: ${cell(baseName(report.model.path), 200)} (${report.model.parameterCount} parameters; classes ${report.model.classes.map((c) => cell(c, 40)).join(', ')})`);
  for (const dataset of report.datasets) {
    out.push(`- ${dataset.role} data: ${cell(baseName(dataset.file), 200)} — ${dataset.used} of ${dataset.records} records used, ${dataset.skipped} skipped`);
  }
  for (const split of report.metrics) {
    out.push(`- ${cell(split.split, 40)}: ${split.examples} examples${split.accuracy === undefined ? '' : `, accuracy ${formatShare(split.accuracy)}`}`);
  }
  out.push('');
  const set = report.policies;
  if (!set || set.policies.length === 0) {
    out.push('No policies were extracted.', '');
  } else {
    out.push('## Policies', '', `Fidelity ${formatShare(set.fidelity)} (κ ${formatNumber(set.kappa, 2)}) on ${set.heldOutCount} held-out probes; default action ${cell(set.defaultAction, 60)}.`, '');
    const attributionById = new Map((report.attribution ?? []).map((a) => [a.policyId, a]));
    set.policies.forEach((policy, index) => {
      const m = policy.metrics;
      out.push(`### P${index + 1} \u2014 ${cell(prettyRule(policy.rule), 300)}${policy.origin === 'hypothesis' ? ' (hypothesis)' : ''}`, '');
      out.push(
        `precision ${formatShare(m.precision)}, coverage ${formatShare(m.coverage)}, adherence ${formatShare(m.adherence)}, training labels ${formatShare(m.trainLabelPrecision)}, stability ${formatShare(m.stability)}, mean margin ${formatNumber(m.meanMargin, 2)} nats`,
        '',
      );
      if (policy.counterfactual) {
        out.push(`Counterfactual: ${formatShare(policy.counterfactual.flipRate)} of ${policy.counterfactual.edited} edited probes flipped (${cell(policy.counterfactual.description, 200)}).`, '');
      }
      const attribution = attributionById.get(policy.id);
      if (attribution) out.push(...attributionSection(attribution, opts));
    });
  }
  if (report.warnings.length > 0) {
    out.push('## Warnings', '', ...report.warnings.map((w) => `- ${cell(w, 400)}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
