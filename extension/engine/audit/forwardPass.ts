/**
 * The audit's forward pass: every distinct example (training lines and probes; in the held-out default the
 * probes are training lines, run once) through the prepared model in the ORT worker, in batches. Yields
 * class probabilities and, when the model has a linear head, the penultimate features — and keeps the
 * worker alive so counterfactual edits can be predicted later in the audit.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import type { PreparedModel } from '../model/prepare';
import type { Feeds, OutputTensor, Outputs } from '../runner/feeds';
import { runCached, type ForwardCacheStats } from './cachedForward';
import { ModelRunner } from '../runner/modelRunner';
import type { ResolvedSpec } from '../spec/auditSpec';
import type { AuditData } from './auditData';
import { toClassProbabilities, type ScoreKind } from './probabilities';

export interface ForwardResult {
  columns: number;
  trainProbs: Float32Array;
  probeProbs: Float32Array;
  /** n × dim penultimate features, when the model has a linear head. */
  trainFeatures?: Float32Array;
  probeFeatures?: Float32Array;
  featureDim: number;
  /** Set when the forward cache was used: where it lives and how many records it saved. */
  cache?: ForwardCacheStats;
  /** Runs the model on new (edited) examples: n × columns probabilities. */
  predict(examples: Example[]): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export interface ForwardPassInput {
  prepared: PreparedModel;
  modelBytesLabel: string;
  featurizer: Featurizer;
  data: AuditData;
  spec: ResolvedSpec;
  /** Folder of the on-disk forward cache (see cachedForward.ts); no cache when absent. */
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function forwardPass(input: ForwardPassInput): Promise<ForwardResult> {
  const { prepared, featurizer, data, spec, signal } = input;
  const head = prepared.head;
  const scoreOutput = head && prepared.outputs.logits ? prepared.outputs.logits : prepared.outputs.prediction;
  const scoreKind: ScoreKind = head && prepared.outputs.logits ? (head.outputDim === 1 ? 'sigmoid-logit' : 'logits') : outputKind(prepared);
  const wanted = [scoreOutput, ...(head && prepared.outputs.features ? [prepared.outputs.features] : [])];
  const runner = await ModelRunner.start({
    modelBytes: prepared.bytes,
    outputs: wanted,
    file: input.modelBytesLabel,
    ...(spec.options.threads !== undefined && { threads: spec.options.threads }),
  });
  try {
    const distinct = distinctExamples(data.train, data.probes);
    const batchSize = spec.options.batchSize;
    const total = Math.ceil(distinct.length / batchSize);
    const runOptions = {
      ...(signal && { signal }),
      onProgress: (done: number) => input.onProgress?.(total === 0 ? 1 : done / total),
    };
    const floatOutputs = wanted.every((name) => runner.outputMetadata.find((m) => m.name === name)?.type === 'float32');
    let cache: ForwardCacheStats | undefined;
    let outputs: Outputs;
    if (input.cacheDir && floatOutputs && distinct.length > 0) {
      const cached = await runCached({ runner, examples: distinct, featurizer, batchSize, outputs: wanted, modelBytes: prepared.bytes, cacheDir: input.cacheDir, runOptions });
      outputs = cached.outputs;
      cache = cached.stats;
    } else {
      outputs = await runner.run(batchFeeds(distinct, featurizer, batchSize), runOptions);
    }
    const scores = toClassProbabilities(outputs[scoreOutput] as OutputTensor, scoreKind, scoreOutput);
    const featureTensor = prepared.outputs.features ? outputs[prepared.outputs.features] : undefined;
    const featureDim = featureTensor ? featureTensor.data.length / Math.max(1, featureTensor.dims[0] ?? 1) : 0;
    const rowOf = new Map<Example, number>(distinct.map((example, i) => [example, i]));
    const gather = (source: Float32Array, width: number, examples: Example[]) => {
      const result = new Float32Array(examples.length * width);
      examples.forEach((example, i) => {
        const row = rowOf.get(example)!;
        result.set(source.subarray(row * width, (row + 1) * width), i * width);
      });
      return result;
    };
    const features = featureTensor ? toFloat32(featureTensor) : undefined;
    const predict = async (examples: Example[]): Promise<Float32Array> => {
      if (examples.length === 0) return new Float32Array(0);
      const edited = await runner.run(batchFeeds(examples, featurizer, batchSize), signal ? { signal } : {});
      return toClassProbabilities(edited[scoreOutput] as OutputTensor, scoreKind, scoreOutput).probs;
    };
    return {
      columns: scores.columns,
      trainProbs: gather(scores.probs, scores.columns, data.train),
      probeProbs: gather(scores.probs, scores.columns, data.probes),
      ...(features && {
        trainFeatures: gather(features, featureDim, data.train),
        probeFeatures: gather(features, featureDim, data.probes),
      }),
      featureDim,
      ...(cache && { cache }),
      predict,
      dispose: () => runner.dispose(),
    };
  } catch (error) {
    await runner.dispose();
    throw error;
  }
}

function outputKind(prepared: PreparedModel): ScoreKind {
  const activation = prepared.head?.activation;
  if (activation === 'Sigmoid') return 'sigmoid-probability';
  return 'probabilities';
}

function distinctExamples(train: Example[], probes: Example[]): Example[] {
  const seen = new Set<Example>(train);
  return [...train, ...probes.filter((probe) => !seen.has(probe))];
}

function* batchFeeds(examples: Example[], featurizer: Featurizer, batchSize: number): Generator<Feeds> {
  for (let start = 0; start < examples.length; start += batchSize) {
    yield featurizer.encode(examples.slice(start, start + batchSize));
  }
}

function toFloat32(tensor: OutputTensor): Float32Array {
  if (tensor.data instanceof Float32Array) return tensor.data;
  if (tensor.data instanceof Float64Array) return Float32Array.from(tensor.data);
  throw new Error(`features tensor has type ${tensor.type}`);
}
