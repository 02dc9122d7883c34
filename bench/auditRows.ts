/**
 * Whole-audit rows: run the real pipeline on a spec and report what it found (fidelity, rules, attribution
 * concentration, verification) next to the time of each stage, all from the same run.
 */
import { runAudit } from '../extension/engine/audit/runAudit';
import type { BenchRow } from './row';
import { peakRssMiB, round } from './forwardThroughput';

export async function auditRow(name: string, specPath: string, hypotheses: string[] = []): Promise<BenchRow> {
  const start = performance.now();
  const report = await runAudit({ specPath, hypotheses });
  const seconds = (performance.now() - start) / 1000;
  const policies = report.policies;
  const attribution = report.attribution ?? [];
  return {
    name,
    fidelity: policies ? round(policies.fidelity, 4) : null,
    kappa: policies ? round(policies.kappa, 4) : null,
    extractedRules: policies ? policies.policies.filter((p) => p.origin === 'extracted').length : 0,
    rules: policies ? policies.policies.map((p) => p.rule).join(' | ') : '',
    verifiedPolicies: attribution.filter((a) => a.verification?.verified).length,
    verifiedGroups: attribution.filter((a) => a.groupVerification?.verified).length,
    trainExamples: report.metrics.find((m) => m.split === 'train')?.examples ?? 0,
    probeExamples: report.metrics.find((m) => m.split === 'probe')?.examples ?? 0,
    readMs: report.timings.read ?? null,
    predictMs: report.timings.predict ?? null,
    policiesMs: report.timings.policies ?? null,
    attributionAndVerifyMs: report.timings.attribution ?? null,
    totalSeconds: round(seconds, 2),
    peakRssMiB: peakRssMiB(),
  };
}
