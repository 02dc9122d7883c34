/** The audit's terminal output: summaries, the policy table, and per policy its top lines and verification. */
import { formatPolicyTable } from '../engine/policy';
import type { AuditReport, AttributedLine, PolicyAttribution, Verification } from '../engine/report/schema';
import { describePathways } from '../engine/report/pathwayText';
import * as path from 'node:path';

export function formatSummary(report: AuditReport): string {
  const lines: string[] = [];
  const m = report.model;
  lines.push(`Model    ${m.path} — ${m.parameterCount.toLocaleString('en-US')} params, classes: ${m.classes.join(', ')}`);
  lines.push(m.head ? `Head     ${m.head.op} '${m.head.node}' ${m.head.inputDim} → ${m.head.outputDim}` : `Head     none (${m.headMissingReason ?? 'not found'})`);
  for (const dataset of report.datasets) {
    const skipped = dataset.skipped > 0 ? `, ${dataset.skipped} skipped` : '';
    lines.push(`Data     ${dataset.role.padEnd(5)} ${dataset.file}: ${dataset.used}/${dataset.records} records used${skipped}`);
    for (const issue of dataset.issues.slice(0, 5)) lines.push(`           ${path.basename(issue.file)}:${issue.line}: ${issue.message}`);
    if (dataset.issues.length > 5) lines.push(`           … ${dataset.issues.length - 5} more in the report`);
  }
  for (const split of report.metrics) {
    const accuracy = split.accuracy !== undefined ? `accuracy ${split.accuracy.toFixed(4)}` : 'no labels';
    const counts = Object.entries(split.predictedClassCounts).map(([c, n]) => `${c} ${n}`).join(', ');
    lines.push(`Split    ${split.split.padEnd(5)} ${String(split.examples).padStart(6)} examples, ${accuracy}; predicted: ${counts}`);
  }
  if (report.cache) {
    const { hits, misses, folder } = report.cache;
    lines.push(`Cache    ${hits} of ${hits + misses} records reused, ${misses} run through the model (${folder})`);
  }
  if (report.gradientCache) {
    const { hits, misses, folder } = report.gradientCache;
    lines.push(`Cache    ${hits} of ${hits + misses} training lines' full-model gradients reused, ${misses} run through the backward graph (${folder})`);
  }
  return lines.join('\n');
}

export function formatAudit(report: AuditReport): string {
  const parts = [formatSummary(report)];
  if (report.policies) parts.push('', 'Policies (metrics on held-out probes)', formatPolicyTable(report.policies));
  for (const attribution of report.attribution ?? []) parts.push('', formatAttribution(report, attribution));
  if (report.warnings.length > 0) parts.push('', 'Notes', ...report.warnings.map((w) => `  - ${w}`));
  return parts.join('\n');
}

function formatAttribution(report: AuditReport, attribution: PolicyAttribution): string {
  const policy = report.policies?.policies.find((p) => p.id === attribution.policyId);
  const lines: string[] = [];
  lines.push(`${attribution.policyId}  ${policy?.rule ?? ''}`);
  lines.push(
    `  method: ${attribution.method.gradients}-only gradients, ${attribution.method.preconditioner} preconditioner, damping ${attribution.method.damping.toPrecision(3)}` +
      (attribution.method.projection ? `, projection ${attribution.method.projection}` : ''),
  );
  lines.push(`  Δadh: ${attribution.scales.deltaAdherence.explanation}`);
  lines.push(`  Δstr: ${attribution.scales.deltaStrength.explanation}`);
  const relative = attribution.scales.relativeInfluence;
  if (relative && attribution.method.ranking !== 'effect') lines.push(`  rel (lines are listed by it): ${relative.explanation}`);
  lines.push(`  concentration: ${attribution.concentration.summary}`);
  lines.push(`  top proponents (push the model toward the policy${attribution.method.ranking === 'effect' ? ', largest predicted effect first' : ', by relative influence'}):`);
  for (const line of attribution.proponents.slice(0, 8)) lines.push(formatLine(line));
  if (attribution.opponents.length > 0) {
    lines.push('  top opponents (push the model away from it):');
    for (const line of attribution.opponents.slice(0, 3)) lines.push(formatLine(line));
  }
  const groups = attribution.groups.filter((g) => g.kind !== 'file').slice(0, 3);
  for (const group of groups) {
    lines.push(`  group ${group.kind} "${group.name}" (${group.lines} lines): Δstrength ${signed(group.deltaStrength)} nats, Δadherence ${signed(group.deltaAdherence)}`);
  }
  if (attribution.pathways) lines.push(`  pathways: ${describePathways(attribution.pathways, signed)}`);
  if (attribution.fullModel) {
    lines.push('  top proponents through all layers (full-model gradients):');
    for (const line of attribution.fullModel.proponents.slice(0, 5)) {
      lines.push(`    ${`${path.basename(line.file)}:${line.line}`.padEnd(28)} infl ${signed(line.influence)} (head ${signed(line.outputPathway)}${line.relativeInfluence === undefined ? '' : `, rel ${signed(line.relativeInfluence)}`})  [${line.label ?? ''}] ${line.snippet.slice(0, 60)}`);
    }
    const concept = attribution.fullModel.concept;
    if (attribution.fullModel.conceptNote) lines.push(`  ${attribution.fullModel.conceptNote}`);
    if (concept) {
      const words = concept.words.map((w) => JSON.stringify(w)).join(', ');
      lines.push(`  lines that taught the model what ${words} means (through ${concept.param}; ${concept.scale.explanation})`);
      lines.push(`    toward the policy:`);
      for (const line of concept.proponents.slice(0, 5)) lines.push(`      ${`${path.basename(line.file)}:${line.line}`.padEnd(28)} ${signed(line.influence)}  [${line.label ?? ''}] ${line.snippet.slice(0, 60)}`);
      lines.push(`    away from it:`);
      for (const line of concept.opponents.slice(0, 5)) lines.push(`      ${`${path.basename(line.file)}:${line.line}`.padEnd(28)} ${signed(line.influence)}  [${line.label ?? ''}] ${line.snippet.slice(0, 60)}`);
    }
  }
  if (attribution.verification) lines.push(`  verify top-${attribution.verification.k} lines: ${formatVerification(attribution.verification)}`);
  const g = attribution.groupVerification;
  if (g) lines.push(`  verify the rule's group "${g.group}" (${g.k} lines): ${formatVerification(g)}`);
  return lines.join('\n');
}

function formatVerification(v: Verification): string {
  const randomAdherence = v.random.reduce((sum, run) => sum + run.adherence, 0) / Math.max(1, v.random.length);
  return (
    `retrained without them, adherence ${pct(v.baseline.adherence)} → ${pct(v.flagged.adherence)}; ` +
    `without ${v.k} random lines (${v.random.length} seeds) → ${pct(randomAdherence)}. ${v.verified ? 'VERIFIED' : 'not verified'}`
  );
}

function pct(value: number): string {
  return `${(100 * value).toFixed(1)}%`;
}

function formatLine(line: AttributedLine): string {
  const where = `${path.basename(line.file)}:${line.line}`;
  const label = line.label !== undefined ? `[${line.label}] ` : '';
  const relative = line.relativeInfluence !== undefined ? `rel ${signed(line.relativeInfluence)}  ` : '';
  return `    ${where.padEnd(28)} ${relative}Δadh ${signed(line.deltaAdherence)}  Δstr ${signed(line.deltaStrength)}  ${label}${line.snippet.slice(0, 70)}`;
}

function signed(value: number): string {
  const text = Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(1) : value.toFixed(4);
  return value >= 0 ? `+${text}` : text;
}
