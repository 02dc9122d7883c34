/**
 * The first half of every audit: spec, checkpoint, graph surgery, data, featurizer and the forward pass.
 * runAudit builds a report on top of it; the planted-case evaluation and the benchmarks score attribution
 * on top of the same context, so they measure exactly what a user's audit computes.
 */
import { promises as fs } from 'node:fs';
import type { Checkpoint } from '../model/checkpoint';
import { resolveCheckpoint } from '../model/checkpoint';
import { inspectModel, type ModelInspection } from '../model/inspect';
import { prepareModel, type PreparedModel } from '../model/prepare';
import { createFeaturizer } from '../featurize/createFeaturizer';
import type { Featurizer } from '../featurize/featurizer';
import { PolicyTraceError } from '../errors';
import { loadSpec, type AuditOptions, type ResolvedSpec } from '../spec/auditSpec';
import { loadAuditData, type AuditData } from './auditData';
import { resolveClassNames, unknownLabels } from './classes';
import { forwardPass, type ForwardResult } from './forwardPass';
import { stageReporter } from './stageReporter';

export type AuditStage = 'load' | 'read' | 'featurize' | 'predict' | 'policies' | 'attribution' | 'verify' | 'report';

export interface AuditProgress {
  stage: AuditStage;
  fraction?: number;
  message?: string;
}

export interface AuditContext {
  spec: ResolvedSpec;
  checkpoint: Checkpoint;
  inspection: ModelInspection;
  prepared: PreparedModel;
  data: AuditData;
  featurizer: Featurizer;
  /** Holds the model worker open: call forward.dispose() when done. */
  forward: ForwardResult;
  classes: string[];
  warnings: string[];
  timings: Record<string, number>;
}

export interface LoadContextOptions {
  specPath: string;
  threads?: number;
  /** Defaults from the editor's settings, used for options the spec file does not set. */
  optionDefaults?: Partial<AuditOptions>;
  /** Folder of the on-disk forward cache (a machine setting, not part of the spec); no cache when absent. */
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (progress: AuditProgress) => void;
}

export async function loadAuditContext(options: LoadContextOptions): Promise<AuditContext> {
  const { signal } = options;
  const timings: Record<string, number> = {};
  const { progress, timed } = stageReporter(timings, options.onProgress);
  const warnings: string[] = [];

  progress('load', 'reading the audit spec and the model');
  const spec = applyOptionDefaults(await loadSpec(options.specPath), options);
  const checkpoint = await resolveCheckpoint(spec.checkpoint);
  const inspection = await timed('inspect', () => inspectModel(checkpoint.modelPath));
  const modelBytes = await fs.readFile(checkpoint.modelPath);
  const prepared = prepareModel(modelBytes, { file: checkpoint.modelPath, ...(spec.output && { output: spec.output }) });
  if (prepared.headMissingReason) warnings.push(`No linear head: ${prepared.headMissingReason}. Attribution needs gradients and is skipped.`);
  signal?.throwIfAborted();

  progress('read', 'reading the datasets');
  const data = await timed('read', () => loadAuditData(spec, signal));
  warnings.push(...data.warnings);
  for (const { summary } of data.summaries) {
    if (summary.skipped > 0) warnings.push(`${summary.file}: ${summary.skipped} of ${summary.records} records skipped (see the dataset issues).`);
  }
  if (data.train.length === 0) throw noData('training', data, spec.specPath);
  if (data.probes.length === 0) throw noData('probe', data, spec.specPath);

  progress('featurize', 'preparing the featurizer');
  const featurizer = await createFeaturizer(spec.featurizer, { baseDir: spec.baseDir, checkpoint, inputs: inspection.inputs });

  progress('predict', `running the model on ${data.train.length + data.probes.length} examples`);
  const forward = await timed('predict', () =>
    forwardPass({
      prepared,
      modelBytesLabel: checkpoint.modelPath,
      featurizer,
      data,
      spec,
      ...(options.cacheDir !== undefined && { cacheDir: options.cacheDir }),
      ...(signal && { signal }),
      onProgress: (fraction) => progress('predict', undefined, fraction),
    }),
  );
  if (forward.cache) warnings.push(...forward.cache.warnings);
  const classes = resolveClassNames(spec.labels, checkpoint.classNames, forward.columns);
  const unknown = unknownLabels(data.train, classes);
  if (unknown.length > 0) warnings.push(`Training labels that match no class (${classes.join(', ')}): ${unknown.map((u) => JSON.stringify(u)).join(', ')}.`);
  return { spec, checkpoint, inspection, prepared, data, featurizer, forward, classes, warnings, timings };
}

/** Editor settings fill the options the spec file does not set; an explicit thread count wins over both. */
export function applyOptionDefaults(spec: ResolvedSpec, options: Pick<LoadContextOptions, 'optionDefaults' | 'threads'>): ResolvedSpec {
  for (const [key, value] of Object.entries(options.optionDefaults ?? {}) as [keyof AuditOptions, never][]) {
    if (value !== undefined && !spec.explicitOptions.includes(key)) spec.options[key] = value;
  }
  if (options.threads !== undefined) spec.options.threads = options.threads;
  return spec;
}

/** Names every file behind an empty role, with what was read from it and the first problem found. */
function noData(role: 'training' | 'probe', data: AuditData, specPath: string): PolicyTraceError {
  const files = data.summaries.map(({ summary }) => {
    const first = summary.issues[0];
    const why = summary.records === 0 ? 'the file has no records' : first ? `first problem at line ${first.line}: ${first.message}` : 'no record matched the split';
    return `${summary.file}: ${summary.used} of ${summary.records} records usable (${why})`;
  });
  return new PolicyTraceError(`no usable ${role} examples:\n  ${files.join('\n  ')}`, { file: specPath }, 'no-data');
}
