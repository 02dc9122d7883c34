/**
 * Turns a report into per-line findings: "this training line is among the top proponents (or opponents)
 * of policy P2". CodeLens, hovers, gutter heat, Problems and the tree all read these, so the editor's
 * views agree with each other and with the panel. Pure; paths are resolved by a function the caller gives.
 */
import type { AttributedLine, AuditReport, Policy, PolicyAttribution, ScoreScale } from '../engine/report/schema';

export type FindingRole = 'proponent' | 'opponent';

export interface LineFinding {
  policyId: string;
  /** Short label shown in the editor: P1, P2, ... in report order. */
  policyLabel: string;
  rule: string;
  action: string;
  origin: Policy['origin'];
  verified: boolean;
  role: FindingRole;
  /** 1-based rank within the policy's proponents or opponents. */
  rank: number;
  /** Absolute path (resolved by the caller). */
  file: string;
  line: AttributedLine;
  scales: { deltaStrength: ScoreScale; deltaAdherence: ScoreScale; influence: ScoreScale };
}

export type ReportForFindings = Pick<AuditReport, 'policies' | 'attribution'>;

/** Findings for the top `topK` proponents and opponents of every attributed policy. */
export function collectLineFindings(report: ReportForFindings, resolvePath: (file: string) => string, topK: number): LineFinding[] {
  const policies = report.policies?.policies ?? [];
  const findings: LineFinding[] = [];
  for (const attribution of report.attribution ?? []) {
    const index = policies.findIndex((policy) => policy.id === attribution.policyId);
    if (index < 0) continue;
    const policy = policies[index];
    const common = {
      policyId: policy.id,
      policyLabel: `P${index + 1}`,
      rule: policy.rule,
      action: policy.action,
      origin: policy.origin,
      verified: attribution.verification?.verified === true,
      scales: attribution.scales,
    };
    const add = (lines: AttributedLine[], role: FindingRole): void => {
      lines.slice(0, Math.max(0, topK)).forEach((line, i) => {
        findings.push({ ...common, role, rank: i + 1, file: resolvePath(line.file), line });
      });
    };
    add(attribution.proponents, 'proponent');
    add(attribution.opponents, 'opponent');
  }
  return findings;
}

/** Findings grouped by absolute file, each list sorted by line then policy. */
export function groupFindingsByFile(findings: readonly LineFinding[]): Map<string, LineFinding[]> {
  const byFile = new Map<string, LineFinding[]>();
  for (const finding of findings) {
    const list = byFile.get(finding.file) ?? [];
    list.push(finding);
    byFile.set(finding.file, list);
  }
  for (const list of byFile.values()) {
    list.sort((a, b) => a.line.line - b.line.line || a.policyLabel.localeCompare(b.policyLabel, 'en', { numeric: true }));
  }
  return byFile;
}

/** Findings of one file grouped by their 1-based line. */
export function groupFindingsByLine(findings: readonly LineFinding[]): Map<number, LineFinding[]> {
  const byLine = new Map<number, LineFinding[]>();
  for (const finding of findings) {
    const list = byLine.get(finding.line.line) ?? [];
    list.push(finding);
    byLine.set(finding.line.line, list);
  }
  return byLine;
}

/** 0..1 heat for a finding: |Δ strength| relative to the largest in the same file. */
export function heatLevels(findings: readonly LineFinding[]): Map<LineFinding, number> {
  const max = Math.max(0, ...findings.map((f) => Math.abs(f.line.deltaStrength)));
  const levels = new Map<LineFinding, number>();
  for (const finding of findings) levels.set(finding, max > 0 ? Math.abs(finding.line.deltaStrength) / max : 0);
  return levels;
}

export type { PolicyAttribution };
