/**
 * One audit, end to end: spec → checkpoint → data → forward pass (in the ORT worker) → policies →
 * attribution → verification → report. Every stage reports progress and honours cancellation; the CLI,
 * the audit worker and the tests all call this one function.
 */
import { readFile } from 'node:fs/promises';
import type { AuditReport } from '../report/schema';
import { attributePolicies } from './attributePolicies';
import { applyOptionDefaults, loadAuditContext, type AuditProgress } from './auditContext';
import { runChatAudit } from './chat/runChatAudit';
import { loadSpec } from '../spec/auditSpec';
import { stageReporter } from './stageReporter';
import { findPolicies } from './findPolicies';
import { buildModelSummary, buildPredictions, reportHeader, splitMetrics } from './reportParts';
import type { AuditOptions } from '../spec/auditSpec';

export type { AuditProgress, AuditStage } from './auditContext';

export interface RunAuditOptions {
  specPath: string;
  /** Extra hypotheses (from the CLI or the editor) audited next to the spec's own. */
  hypotheses?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: AuditProgress) => void;
  /** Overrides the spec's options.verify. */
  verify?: boolean;
  /** Skip rule extraction and attribution (the `predict` command). */
  predictOnly?: boolean;
  /** Overrides the spec's options.threads. */
  threads?: number;
  /** Defaults (e.g. editor settings) for options the spec file does not set. */
  optionDefaults?: Partial<AuditOptions>;
  /** Folder of the on-disk forward cache; no cache when absent. */
  cacheDir?: string;
}

export async function runAudit(options: RunAuditOptions): Promise<AuditReport> {
  const { signal } = options;
  // A spec with a `chat` section audits a causal language model on conversations: its own pipeline, same report.
  const loaded = await loadSpec(options.specPath);
  if (loaded.chat) {
    return runChatAudit(applyOptionDefaults(loaded, options), {
      ...(options.hypotheses && { hypotheses: options.hypotheses }),
      ...(options.verify !== undefined && { verify: options.verify }),
      ...(options.predictOnly && { predictOnly: true }),
      ...(signal && { signal }),
      ...(options.onProgress && { onProgress: options.onProgress }),
    });
  }
  const context = await loadAuditContext({
    specPath: options.specPath,
    ...(options.threads !== undefined && { threads: options.threads }),
    ...(options.optionDefaults && { optionDefaults: options.optionDefaults }),
    ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
    ...(signal && { signal }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  const { spec, inspection, prepared, data, featurizer, forward, classes, warnings, timings } = context;
  const { progress, timed } = stageReporter(timings, options.onProgress);

  const report: AuditReport = {
    ...reportHeader(spec),
    model: buildModelSummary(inspection, prepared, classes),
    datasets: data.summaries.map(({ role, summary }) => ({
      file: summary.file,
      role,
      format: summary.format,
      records: summary.records,
      used: summary.used,
      skipped: summary.skipped,
      issues: summary.issues,
    })),
    metrics: splitMetrics(data, forward, classes),
    predictions: buildPredictions(data, forward, classes, spec.options.predictionsInReport),
    warnings,
    timings,
    ...(forward.cache && { cache: { folder: forward.cache.folder, hits: forward.cache.hits, misses: forward.cache.misses } }),
  };
  report.warnings.push(`Probes: ${data.probeOrigin}.`);
  if (options.predictOnly) {
    await forward.dispose();
    return report;
  }

  try {
    progress('policies', 'extracting policies');
    const hypotheses = [...spec.hypotheses, ...(options.hypotheses ?? [])];
    const found = await timed('policies', () => findPolicies({ spec, data, forward, classes, featurizer, hypotheses, signal }));
    report.policies = found.policySet;
    warnings.push(...found.warnings);
    signal?.throwIfAborted();
    if (prepared.head && forward.trainFeatures && forward.probeFeatures) {
      const verify = options.verify ?? spec.options.verify;
      progress('attribution', 'attributing policies to training lines');
      const originalModelBytes = await readFile(context.checkpoint.modelPath);
      report.attribution = await timed('attribution', () =>
        attributePolicies({
          spec,
          data,
          forward,
          classes,
          head: prepared.head!,
          policies: found.policySet.policies,
          tokens: found.tokens,
          verify,
          featurizer,
          warn: (message) => warnings.push(message),
          modelBytes: originalModelBytes,
          ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
          onGradientCache: ({ folder, hits, misses, warnings: cacheWarnings }) => {
            report.gradientCache = { folder, hits, misses };
            warnings.push(...cacheWarnings);
          },
          ...(signal && { signal }),
          onProgress: (message) => progress(verify ? 'verify' : 'attribution', message),
        }),
      );
    }
  } finally {
    await forward.dispose();
  }
  progress('report', 'writing the report');
  return report;
}


