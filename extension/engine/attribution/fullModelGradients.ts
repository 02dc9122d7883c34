/**
 * Per-example gradients of every parameter, streamed batch by batch from a gradient model built by the
 * backward-graph engine (autodiff/buildGradientModel). Callers see one flat row per (example, parameter)
 * and never hold more than one batch of gradients at a time.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import { buildGradientModel, GradientOutput, KfacFactorOutput } from '../autodiff/buildGradientModel';
import { ObjectiveKind } from '../autodiff/objective';
import { createSession, ExampleFeeds, ort, OrtSession, OrtTensor } from '../autodiff/ort';
import { ProjectionOptions } from '../autodiff/projection';
import { encodeModel, ModelProto } from '../model/onnxProto';
import { PolicyTraceError } from '../errors';
import type { FeedTensor } from '../runner/feeds';

/** The int64 [batch] input the gradient model reads labels (cross-entropy) or actions (margin) from. */
export const LABELS_INPUT = 'policytrace_labels';

export interface PerExampleGradientModel {
  session: OrtSession;
  /** Per-example (projected or not) gradient outputs, one per parameter the engine understands. */
  outputs: GradientOutput[];
  /** Parameters the engine could not give per-example gradients for, and why. */
  skipped: { param: string; reason: string }[];
  /** The model's data inputs (graph inputs that are not initializers), fed from the featurizer. */
  inputNames: string[];
  /** Per-example objective values [batch] (the cross-entropy loss or the margin). */
  objectiveOutput: string;
  /** K-FAC factor rows per projected layer, when opened with `kfacFactors`. */
  factorOutputs: KfacFactorOutput[];
}

export function dataInputNames(model: ModelProto): string[] {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  return (model.graph?.input ?? []).map((i) => i.name ?? '').filter((name) => name && !initializers.has(name));
}

export function toOrtTensor(feed: FeedTensor): OrtTensor {
  const Tensor = ort().Tensor;
  switch (feed.type) {
    case 'int64':
      return new Tensor('int64', feed.data as BigInt64Array, feed.dims);
    case 'int32':
      return new Tensor('int32', feed.data as Int32Array, feed.dims);
    case 'float32':
      return new Tensor('float32', feed.data as Float32Array, feed.dims);
    case 'bool':
      return new Tensor('bool', feed.data as Uint8Array, feed.dims);
    case 'string':
      return new Tensor('string', feed.data as string[], feed.dims);
  }
}

export function encodeFeeds(featurizer: Featurizer, examples: Example[], inputNames: readonly string[]): ExampleFeeds {
  const encoded = featurizer.encode(examples);
  const feeds: ExampleFeeds = {};
  for (const name of inputNames) {
    const feed = encoded[name];
    if (!feed) {
      throw new PolicyTraceError(
        `the model input '${name}' is not produced by the featurizer (it produces ${Object.keys(encoded).map((n) => `'${n}'`).join(', ')}): set the featurizer's input name`,
        { field: name },
        'bad-featurizer',
      );
    }
    feeds[name] = toOrtTensor(feed);
  }
  return feeds;
}

export async function openPerExampleGradients(
  model: ModelProto,
  loss: ObjectiveKind,
  probeExamples: ExampleFeeds,
  projection: ProjectionOptions | undefined,
  logitsTensor: string | undefined,
  kfacFactors = false,
): Promise<PerExampleGradientModel> {
  const built = await buildGradientModel(model, {
    loss,
    logitsTensor,
    labelsInput: LABELS_INPUT,
    wrt: 'all-float-initializers',
    perExample: true,
    summedGradients: false,
    projection,
    probeExamples,
    kfacFactors,
  });
  const session = await createSession(encodeModel(built.model));
  return {
    session,
    outputs: built.gradientOutputs.filter((o) => o.kind !== 'summed'),
    skipped: built.perExampleSkipped,
    inputNames: dataInputNames(model),
    objectiveOutput: built.objectiveOutput,
    factorOutputs: built.factorOutputs,
  };
}

/**
 * Runs `examples` in batches with the given labels (class ids; negative rows are fed as class 0 and must be
 * ignored by the caller) and calls `visit(exampleIndex, param, row)` with each example's flat gradient row.
 * `row` is reused between calls: copy it to keep it. `onObjective(exampleIndex, value)`, when given, gets each
 * example's objective value before any of that batch's rows are visited.
 */
export async function forEachExampleGradient(
  gradients: PerExampleGradientModel,
  featurizer: Featurizer,
  examples: Example[],
  labels: ArrayLike<number>,
  batchSize: number,
  visit: (exampleIndex: number, param: string, row: Float32Array) => void,
  onObjective?: (exampleIndex: number, value: number) => void,
): Promise<void> {
  const outputNames = [...gradients.outputs.map((o) => o.output), ...(onObjective ? [gradients.objectiveOutput] : [])];
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = examples.slice(start, start + batchSize);
    const labelData = BigInt64Array.from(batch, (_, i) => BigInt(Math.max(0, labels[start + i])));
    const feeds = encodeFeeds(featurizer, batch, gradients.inputNames);
    feeds[LABELS_INPUT] = new (ort().Tensor)('int64', labelData, [batch.length]);
    const results = await gradients.session.run(feeds, outputNames);
    if (onObjective) {
      const values = results[gradients.objectiveOutput].data as Float32Array;
      for (let b = 0; b < batch.length; b++) onObjective(start + b, values[b]);
    }
    visitExampleRows(results, gradients.outputs, batch.length, (b, param, row) => visit(start + b, param, row));
  }
}

/**
 * Calls `visit(b, param, row)` with example b's flat gradient row of each output of one batched run: the slice
 * along the output's batch axis (-1 in its declared shape), gathered into one contiguous row that is reused.
 */
export function visitExampleRows(
  results: Record<string, OrtTensor>,
  outputs: readonly GradientOutput[],
  batchLength: number,
  visit: (b: number, param: string, row: Float32Array) => void,
): void {
  for (const output of outputs) {
    const tensor = results[output.output];
    const batchAxis = Math.max(0, output.shape.indexOf(-1));
    const dims = tensor.dims.map(Number);
    const data = tensor.data as Float32Array;
    const outer = dims.slice(0, batchAxis).reduce((a, b) => a * b, 1);
    const inner = dims.slice(batchAxis + 1).reduce((a, b) => a * b, 1);
    const row = new Float32Array(outer * inner);
    for (let b = 0; b < batchLength; b++) {
      for (let o = 0; o < outer; o++) row.set(data.subarray((o * batchLength + b) * inner, (o * batchLength + b + 1) * inner), o * inner);
      visit(b, output.param, row);
    }
  }
}
