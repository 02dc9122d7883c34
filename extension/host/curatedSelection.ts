/**
 * Which records a curated export leaves out: the top proponents of the chosen policies (what the editor
 * flags) plus the user's exclusion list, each with a reason. Pure (no vscode), unit-tested.
 */
import * as path from 'node:path';
import type { FlaggedRecord } from '../engine/export';
import type { SourceRef } from '../engine/report/schema';
import type { LineFinding } from '../shared/findings';
import { formatSigned } from '../shared/scoreFormat';
import type { ExclusionEntry } from './exclusionList';

export interface CuratedSelection {
  flagged: FlaggedRecord[];
  /** Exclusion-list entries the report has no byte range for (not attributed, not predicted): not exported. */
  unresolvedExclusions: ExclusionEntry[];
}

const key = (file: string, line: number): string => `${path.resolve(file)}\u0000${line}`;

export function selectCuratedRecords(options: {
  findings: readonly LineFinding[];
  policyIds: ReadonlySet<string>;
  exclusions: readonly ExclusionEntry[];
  /** Folder the exclusion list's relative paths resolve against (the workspace folder). */
  exclusionBase: string;
  /** Every record the report locates (attributed lines and predictions), absolute paths. */
  knownRecords: readonly SourceRef[];
}): CuratedSelection {
  const byKey = new Map<string, FlaggedRecord>();
  for (const finding of options.findings) {
    if (finding.role !== 'proponent' || !options.policyIds.has(finding.policyId)) continue;
    const k = key(finding.file, finding.line.line);
    const reason = `top proponent ${finding.rank} of ${finding.policyLabel} ${finding.rule} (Δ adherence ${formatSigned(finding.line.deltaAdherence)})`;
    const existing = byKey.get(k);
    if (existing) existing.reason = `${existing.reason}; ${reason}`;
    else byKey.set(k, { file: finding.file, line: finding.line.line, id: finding.line.id, byteOffset: finding.line.byteOffset, byteLength: finding.line.byteLength, reason });
  }
  const known = new Map(options.knownRecords.map((r) => [key(r.file, r.line), r]));
  const unresolvedExclusions: ExclusionEntry[] = [];
  for (const entry of options.exclusions) {
    const file = path.resolve(options.exclusionBase, entry.file);
    const k = key(file, entry.line);
    const reason = `in the exclusion list${entry.reason ? `: ${entry.reason}` : ''}`;
    const existing = byKey.get(k);
    if (existing) {
      existing.reason = `${existing.reason}; ${reason}`;
      continue;
    }
    const record = known.get(k);
    if (!record) {
      unresolvedExclusions.push(entry);
      continue;
    }
    byKey.set(k, { file, line: entry.line, id: record.id, byteOffset: record.byteOffset, byteLength: record.byteLength, reason });
  }
  const flagged = [...byKey.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { flagged, unresolvedExclusions };
}
