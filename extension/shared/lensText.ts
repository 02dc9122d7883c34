/**
 * The words on CodeLens, hovers and Problems entries for a training line. Pure, so the exact text is
 * unit-tested; every dataset-derived string goes through displaySnippet first.
 */
import { displaySnippet } from './displayText';
import type { LineFinding } from './findings';
import { escapeMarkdown, markdownSnippet } from './markdownEscape';
import { formatSigned, prettyRule } from './scoreFormat';

const RULE_LIMIT = 48;

/** e.g. "▲ P2 'contains("kindly") → billing': removing this line −0.031 adherence". */
export function lensTitle(finding: LineFinding): string {
  const arrow = finding.role === 'proponent' ? '▲' : '▼';
  const rule = displaySnippet(prettyRule(finding.rule), RULE_LIMIT);
  return `${arrow} ${finding.policyLabel} '${rule}': removing this line ${formatSigned(finding.line.deltaAdherence)} adherence`;
}

/** Markdown for a hover: one section per finding on the line, with units and the scale explanation. */
export function hoverMarkdown(findings: readonly LineFinding[]): string {
  const sections = findings.map((finding) => {
    const role = finding.role === 'proponent' ? 'pushes the model toward' : 'pushes the model away from';
    const verified = finding.verified ? ' (verified by retraining)' : '';
    return [
      `**${finding.policyLabel}** \`${escapeCode(prettyRule(finding.rule))}\`${verified}`,
      '',
      `This line ${role} the policy (rank ${finding.rank} ${finding.role}).`,
      '',
      `- Δ adherence if removed: **${formatSigned(finding.line.deltaAdherence)}** — ${escapeMarkdown(finding.scales.deltaAdherence.explanation)}`,
      `- Δ strength if removed: **${formatSigned(finding.line.deltaStrength)}** — ${escapeMarkdown(finding.scales.deltaStrength.explanation)}`,
      `- influence: ${formatSigned(finding.line.influence, 4)} (${escapeMarkdown(finding.scales.influence.unit)})`,
      finding.line.label === undefined ? '' : `- label: ${markdownSnippet(finding.line.label, 80)}`,
    ]
      .filter((line, i, all) => line !== '' || (i > 0 && all[i - 1] !== ''))
      .join('\n');
  });
  return sections.join('\n\n---\n\n');
}

/** Inline code cannot contain a backtick run that closes it; replace backticks and flatten the text. */
function escapeCode(text: string): string {
  return displaySnippet(text, 120).replace(/`/g, 'ʹ');
}

export type DiagnosticLevel = 'warning' | 'information';

export interface DiagnosticText {
  code: string;
  message: string;
  level: DiagnosticLevel;
}

/**
 * Stable codes: PT001 = a top proponent of an extracted policy, PT002 = of a hypothesis the user asked
 * about. A line flagged by a policy that retraining verified is a warning; otherwise information.
 */
export function diagnosticText(findings: readonly LineFinding[]): DiagnosticText | undefined {
  const proponents = findings.filter((finding) => finding.role === 'proponent');
  if (proponents.length === 0) return undefined;
  const code = proponents.some((finding) => finding.origin === 'extracted') ? 'PT001' : 'PT002';
  const parts = proponents.map(
    (finding) => `${finding.policyLabel} '${displaySnippet(prettyRule(finding.rule), RULE_LIMIT)}' (${formatSigned(finding.line.deltaAdherence)} adherence if removed${finding.verified ? ', verified' : ''})`,
  );
  return {
    code,
    message: `This training line teaches ${parts.join('; ')}`,
    level: proponents.some((finding) => finding.verified) ? 'warning' : 'information',
  };
}

/** PT100: a record the audit had to skip (broken JSON, missing field...), as reported by the readers. */
export const SKIPPED_RECORD_CODE = 'PT100';
