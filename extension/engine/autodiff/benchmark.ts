/**
 * Gradient featurization speed: examples/s of forward + backward + LoGra projection (the per-example outputs
 * an audit stores) against forward-only on the same model, batches and thread settings, in one run.
 */
import * as fs from 'fs';
import { buildGradientModel } from './buildGradientModel';
import { synthesizeExampleFeeds } from './exampleFeeds';
import { encodeModel, decodeModel, ModelProto } from '../model/onnxProto';
import { createSession, ExampleFeeds, ort, OrtSession } from './ort';
import { ProjectionOptions } from './projection';

export interface GradientBenchmarkOptions {
  projection?: ProjectionOptions;
  loss?: 'crossEntropy' | 'margin';
  /**
   * Timed passes over all batches per mode, forward and featurize alternating; the fastest pass of each counts
   * (default 15: on a shared machine the fastest of a few passes is still often disturbed).
   */
  repeats?: number;
  /** Keep alternating passes until this much time went into timing (default 300 ms): tiny models get more samples. */
  minTimingMs?: number;
  /** onnxruntime intra-op threads for both sessions (default 0: one per core). */
  threads?: number;
}

export interface GradientBenchmarkResult {
  modelPath: string;
  examples: number;
  batchSize: number;
  projection: ProjectionOptions;
  /** Per-example outputs fetched per run (projected layers plus elementwise parameters). */
  featureOutputs: number;
  featureValuesPerExample: number;
  buildMs: number;
  forwardExamplesPerSecond: number;
  gradientExamplesPerSecond: number;
  /** Featurization time / forward time (how many forward passes one featurization costs). */
  costRatio: number;
}

/** The most alternating passes `minTimingMs` may add, whatever the model's size. */
const MAX_REPEATS = 1000;

/** Feeds are built before timing, so that both modes time session.run alone. */
async function timePass(session: OrtSession, feeds: ExampleFeeds[], outputs: readonly string[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (const batch of feeds) await session.run(batch, outputs);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The gradient-featurization model the benchmark times (and the profile scripts inspect): per-example LoGra outputs only. */
export function buildFeaturizationModel(
  source: ModelProto,
  probe: ExampleFeeds,
  projection: ProjectionOptions,
  loss: GradientBenchmarkOptions['loss'] = 'crossEntropy',
): ReturnType<typeof buildGradientModel> {
  return buildGradientModel(source, { loss, labelsInput: 'labels', wrt: 'all-float-initializers', perExample: true, summedGradients: false, projection, probeExamples: probe });
}

function batchSizeOf(batch: ExampleFeeds): number {
  return Object.values(batch)[0]?.dims[0] ?? 0;
}

export async function benchmarkGradientFeaturization(
  modelPath: string,
  batches: ExampleFeeds[] | { count: number; size: number },
  options: GradientBenchmarkOptions = {},
): Promise<GradientBenchmarkResult> {
  const source = decodeModel(fs.readFileSync(modelPath));
  const feeds = Array.isArray(batches) ? batches : Array.from({ length: batches.count }, (_, i) => synthesizeExampleFeeds(source, batches.size, i + 1));
  const projection = options.projection ?? { kIn: 16, kOut: 16, seed: 0 };
  const buildStart = process.hrtime.bigint();
  const built = await buildFeaturizationModel(source, feeds[0], projection, options.loss);
  const gradientBytes = encodeModel(built.model);
  const buildMs = Number(process.hrtime.bigint() - buildStart) / 1e6;

  const forward = await createSession(fs.readFileSync(modelPath), options.threads);
  const gradient = await createSession(gradientBytes, options.threads);
  const features = built.gradientOutputs.filter((o) => o.kind !== 'summed');
  const featureNames = features.map((o) => o.output);
  const labelled = feeds.map((batch) => ({ ...batch, labels: new (ort().Tensor)('int64', new BigInt64Array(batchSizeOf(batch)), [batchSizeOf(batch)]) }));
  const forwardOutputs = forward.outputNames;
  // One untimed pass over every batch each: arenas, thread pools and caches settle before timing.
  await timePass(forward, feeds, forwardOutputs);
  await timePass(gradient, labelled, featureNames);
  let forwardMs = Infinity;
  let gradientMs = Infinity;
  const timingStart = process.hrtime.bigint();
  const timedMs = () => Number(process.hrtime.bigint() - timingStart) / 1e6;
  for (let r = 0; r < (options.repeats ?? 15) || (timedMs() < (options.minTimingMs ?? 300) && r < MAX_REPEATS); r++) {
    forwardMs = Math.min(forwardMs, await timePass(forward, feeds, forwardOutputs));
    gradientMs = Math.min(gradientMs, await timePass(gradient, labelled, featureNames));
  }
  await forward.release();
  await gradient.release();
  const examples = feeds.reduce((n, b) => n + batchSizeOf(b), 0);
  return {
    modelPath,
    examples,
    batchSize: batchSizeOf(feeds[0]),
    projection,
    featureOutputs: features.length,
    featureValuesPerExample: features.reduce((n, o) => n + o.shape.slice(1).reduce((a, b) => a * b, 1), 0),
    buildMs,
    forwardExamplesPerSecond: (examples / forwardMs) * 1000,
    gradientExamplesPerSecond: (examples / gradientMs) * 1000,
    costRatio: gradientMs / forwardMs,
  };
}
