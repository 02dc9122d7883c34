/**
 * The typed messages between the extension host and the policy panel (the pattern of vscode-eslint's
 * customMessages and GitLens' ipc): one union per direction, and a validator for everything the webview
 * sends, because the webview is untrusted input (its content includes dataset text).
 * No vscode, no DOM, no node: both sides compile this file.
 */
import type { AuditReport, PolicyAttribution, PolicySet, SplitMetrics } from '../engine/report/schema';

/** What the panel needs from a report: everything except the per-example predictions (large, unused). */
export interface PanelReport {
  createdAt: string;
  modelPath: string;
  classes: string[];
  policies?: PolicySet;
  attribution: PolicyAttribution[];
  metrics: SplitMetrics[];
  warnings: string[];
}

export function toPanelReport(report: AuditReport): PanelReport {
  return {
    createdAt: report.createdAt,
    modelPath: report.model.path,
    classes: report.model.classes,
    policies: report.policies,
    attribution: report.attribution ?? [],
    metrics: report.metrics,
    warnings: report.warnings,
  };
}

export type AuditStage = 'load' | 'read' | 'featurize' | 'predict' | 'policies' | 'attribution' | 'verify' | 'report';

/** Host → webview. */
export type HostToPanelMessage =
  | { type: 'report'; report: PanelReport | null; stale: boolean; staleReason?: string }
  | { type: 'progress'; running: boolean; stage?: AuditStage; fraction?: number }
  | { type: 'focusPolicy'; policyId: string; file?: string; line?: number };

/** Webview → host. */
export type PanelToHostMessage =
  | { type: 'ready' }
  | { type: 'openSource'; file: string; line: number; endLine: number }
  | { type: 'runAudit' }
  | { type: 'verify'; policyId: string }
  | { type: 'exportReport' }
  | { type: 'rendered'; policyCount: number };

export type Validation<T> = { ok: true; value: T } | { ok: false; reason: string };

const MAX_PATH_LENGTH = 4096;
const MAX_ID_LENGTH = 200;
const MAX_LINE = 2 ** 31 - 1;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLineNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_LINE;
}

function hasOnlyKeys(value: Record<string, unknown>, keys: string[]): string | undefined {
  const extra = Object.keys(value).filter((key) => !keys.includes(key));
  return extra.length > 0 ? `unexpected field(s) ${extra.slice(0, 5).join(', ')}` : undefined;
}

/**
 * Checks the shape of a message from the webview: known type, exact field set, right types and ranges.
 * Path containment (is the file inside a workspace folder?) is checked by the host, which knows the folders.
 */
export function validatePanelMessage(raw: unknown): Validation<PanelToHostMessage> {
  if (!isRecord(raw)) return { ok: false, reason: 'message is not an object' };
  const type = raw.type;
  if (typeof type !== 'string') return { ok: false, reason: 'message has no string "type"' };
  const fail = (reason: string): Validation<PanelToHostMessage> => ({ ok: false, reason: `${type.slice(0, 40)}: ${reason}` });
  switch (type) {
    case 'ready':
    case 'runAudit':
    case 'exportReport': {
      const extra = hasOnlyKeys(raw, ['type']);
      return extra ? fail(extra) : { ok: true, value: { type } };
    }
    case 'openSource': {
      const extra = hasOnlyKeys(raw, ['type', 'file', 'line', 'endLine']);
      if (extra) return fail(extra);
      const { file, line, endLine } = raw;
      if (typeof file !== 'string' || file.length === 0) return fail('"file" must be a non-empty string');
      if (file.length > MAX_PATH_LENGTH) return fail('"file" is too long');
      if (file.includes('\0')) return fail('"file" contains a NUL character');
      if (!isLineNumber(line)) return fail('"line" must be an integer ≥ 1');
      if (!isLineNumber(endLine) || endLine < line) return fail('"endLine" must be an integer ≥ line');
      return { ok: true, value: { type, file, line, endLine } };
    }
    case 'verify': {
      const extra = hasOnlyKeys(raw, ['type', 'policyId']);
      if (extra) return fail(extra);
      const { policyId } = raw;
      if (typeof policyId !== 'string' || policyId.length === 0 || policyId.length > MAX_ID_LENGTH) {
        return fail('"policyId" must be a short non-empty string');
      }
      return { ok: true, value: { type, policyId } };
    }
    case 'rendered': {
      const extra = hasOnlyKeys(raw, ['type', 'policyCount']);
      if (extra) return fail(extra);
      const { policyCount } = raw;
      if (typeof policyCount !== 'number' || !Number.isInteger(policyCount) || policyCount < 0) {
        return fail('"policyCount" must be a non-negative integer');
      }
      return { ok: true, value: { type, policyCount } };
    }
    default:
      return { ok: false, reason: `unknown message type "${type.slice(0, 40)}"` };
  }
}
