/**
 * One audit, end to end: spec → checkpoint → data → forward pass (in the ORT worker) → policies →
 * attribution → verification → report. Every stage reports progress and honours cancellation; the CLI,
 * the audit worker and the tests all call this one function.
 */
import { promises as fs } from 'node:fs';
import { PolicyTraceError } from '../errors';
import { createFeaturizer } from '../featurize/createFeaturizer';
import { resolveCheckpoint } from '../model/checkpoint';
import { inspectModel } from '../model/inspect';
import { prepareModel } from '../model/prepare';
import type { AuditReport } from '../report/schema';
import { REPORT_SCHEMA_VERSION } from '../report/schema';
import { loadSpec } from '../spec/auditSpec';
import { loadAuditData } from './auditData';
import { attributePolicies } from './attributePolicies';
import { resolveClassNames, unknownLabels } from './classes';
import { forwardPass, type ForwardResult } from './forwardPass';
import { findPolicies } from './findPolicies';
import { buildModelSummary, buildPredictions, splitMetrics } from './reportParts';
import { TOOL_VERSION } from './version';

export type AuditStage = 'load' | 'read' | 'featurize' | 'predict' | 'policies' | 'attribution' | 'verify' | 'report';

export interface AuditProgress {
  stage: AuditStage;
  fraction?: number;
  message?: string;
}

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
}

export async function runAudit(options: RunAuditOptions): Promise<AuditReport> {
  const { signal } = options;
  const progress = (stage: AuditStage, message?: string, fraction?: number) =>
    options.onProgress?.({ stage, ...(message !== undefined && { message }), ...(fraction !== undefined && { fraction }) });
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      timings[name] = Math.round(performance.now() - start);
    }
  };
  const warnings: string[] = [];

  progress('load', 'reading the audit spec and the model');
  const spec = await loadSpec(options.specPath);
  if (options.threads !== undefined) spec.options.threads = options.threads;
  const checkpoint = await resolveCheckpoint(spec.checkpoint);
  const inspection = await timed('inspect', () => inspectModel(checkpoint.modelPath));
  const modelBytes = await fs.readFile(checkpoint.modelPath);
  const prepared = prepareModel(modelBytes, { file: checkpoint.modelPath, ...(spec.output && { output: spec.output }) });
  if (prepared.headMissingReason) warnings.push(`No linear head: ${prepared.headMissingReason}. Attribution needs gradients and is skipped.`);
  signal?.throwIfAborted();

  progress('read', 'reading the datasets');
  const data = await timed('read', () => loadAuditData(spec, signal));
  for (const { summary } of data.summaries) {
    if (summary.skipped > 0) warnings.push(`${summary.file}: ${summary.skipped} of ${summary.records} records skipped (see the dataset issues).`);
  }
  if (data.train.length === 0) throw noData('training', data, spec.specPath);
  if (data.probes.length === 0) throw noData('probe', data, spec.specPath);

  progress('featurize', 'preparing the featurizer');
  const featurizer = await createFeaturizer(spec.featurizer, { baseDir: spec.baseDir, checkpoint, inputs: inspection.inputs });

  progress('predict', `running the model on ${data.train.length + data.probes.length} examples`);
  const forward: ForwardResult = await timed('predict', () =>
    forwardPass({ prepared, modelBytesLabel: checkpoint.modelPath, featurizer, data, spec, signal, onProgress: (f) => progress('predict', undefined, f) }),
  );
  const classes = resolveClassNames(spec.labels, checkpoint.classNames, forward.columns);
  const unknown = unknownLabels(data.train, classes);
  if (unknown.length > 0) warnings.push(`Training labels that match no class (${classes.join(', ')}): ${unknown.map((u) => JSON.stringify(u)).join(', ')}.`);

  const report: AuditReport = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'policytrace', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    specPath: spec.specPath,
    workspaceRoot: spec.baseDir,
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


/** Names every file behind an empty role, with what was read from it and the first problem found. */
function noData(role: 'training' | 'probe', data: Awaited<ReturnType<typeof loadAuditData>>, specPath: string): PolicyTraceError {
  const files = data.summaries.map(({ summary }) => {
    const first = summary.issues[0];
    const why = summary.records === 0 ? 'the file has no records' : first ? `first problem at line ${first.line}: ${first.message}` : 'no record matched the split';
    return `${summary.file}: ${summary.used} of ${summary.records} records usable (${why})`;
  });
  return new PolicyTraceError(`no usable ${role} examples:\n  ${files.join('\n  ')}`, { file: specPath }, 'no-data');
}
