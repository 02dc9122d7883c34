/** The minimal check before the editor shows a report file: the right schema version and the fields every view reads. */
import { REPORT_SCHEMA_VERSION, type AuditReport } from '../engine/report/schema';

export function reportProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const report = value as Partial<AuditReport>;
  if (report.schemaVersion !== REPORT_SCHEMA_VERSION) return `unsupported report schema version ${JSON.stringify(report.schemaVersion)} (this version reads ${REPORT_SCHEMA_VERSION})`;
  if (!report.model || typeof report.model.path !== 'string' || !Array.isArray(report.model.classes)) return 'missing "model.path" or "model.classes"';
  if (!Array.isArray(report.datasets) || !Array.isArray(report.warnings) || !Array.isArray(report.metrics)) return 'missing "datasets", "metrics" or "warnings"';
  if (report.policies !== undefined && !Array.isArray(report.policies.policies)) return '"policies.policies" must be an array';
  if (report.attribution !== undefined && !Array.isArray(report.attribution)) return '"attribution" must be an array';
  return undefined;
}
