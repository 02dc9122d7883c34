/**
 * Per-example gradients of a causal LM's sequence loss (Σ over a sequence's target tokens of −log p), streamed
 * batch by batch from the backward-graph engine's gradient model. A sequence is token ids plus a target mask
 * (the LM-head path's TokenSequence: assistant tokens and their end-of-turn count, prompt tokens do not); the
 * labels fed to the model are shifted here: labels[b, t] = ids[t + 1] when token t + 1 is a target, else −1.
 * Every batch is right-padded (a causal model's positions before the padding never see it) to ONE length, the
 * longest sequence's: the engine's per-example rows fold the sequence axis with the size the probe saw, so the
 * gradient model only accepts the probe's sequence length.
 */
import { ort, type ExampleFeeds } from '../../autodiff/ort';
import type { ProjectionOptions } from '../../autodiff/projection';
import { dataInputNames, LABELS_INPUT, openPerExampleGradients, visitExampleRows, type PerExampleGradientModel } from '../../attribution/fullModelGradients';
import { PolicyTraceError } from '../../errors';
import type { ModelProto } from '../../model/onnxProto';
import type { TokenSequence } from '../lmHead/types';

export const INPUT_IDS = 'input_ids';
export const ATTENTION_MASK = 'attention_mask';

/** The gradient model and the one sequence length it was built for. */
export interface SequenceGradientModel {
  gradients: PerExampleGradientModel;
  length: number;
  padId: number;
  /** −1 hands callers the negated rows (minus the margin's gradient, which points like the loss's). */
  sign?: 1 | -1;
}

/** input_ids (and attention_mask when the model takes one) plus the shifted labels for `sequences`, padded to `length`. */
function padBatch(sequences: TokenSequence[], inputNames: readonly string[], padId: number, length: number): ExampleFeeds {
  const ids = new BigInt64Array(sequences.length * length).fill(BigInt(padId));
  const mask = new BigInt64Array(sequences.length * length);
  const labels = new BigInt64Array(sequences.length * length).fill(-1n);
  sequences.forEach((sequence, b) => {
    for (let t = 0; t < sequence.ids.length; t++) {
      ids[b * length + t] = BigInt(sequence.ids[t]);
      mask[b * length + t] = 1n;
      if (t + 1 < sequence.ids.length && sequence.targetMask[t + 1]) labels[b * length + t] = BigInt(sequence.ids[t + 1]);
    }
  });
  const Tensor = ort().Tensor;
  const dims = [sequences.length, length];
  const feeds: ExampleFeeds = { [INPUT_IDS]: new Tensor('int64', ids, dims), [LABELS_INPUT]: new Tensor('int64', labels, dims) };
  if (inputNames.includes(ATTENTION_MASK)) feeds[ATTENTION_MASK] = new Tensor('int64', mask, dims);
  return feeds;
}

/** A causal LM the engine can feed: input_ids and optionally attention_mask (a model with past inputs is the other export). */
export function checkLmInputs(model: ModelProto, file?: string): string[] {
  const names = dataInputNames(model);
  const other = names.filter((n) => n !== INPUT_IDS && n !== ATTENTION_MASK);
  if (!names.includes(INPUT_IDS) || other.length > 0) {
    throw new PolicyTraceError(
      `full-model LM gradients feed input_ids and attention_mask only; the model takes ${names.map((n) => `'${n}'`).join(', ')}`,
      { ...(file && { file }), field: other[0] ?? INPUT_IDS },
      'chat.full-model',
    );
  }
  return names;
}

/**
 * The gradient model of the summed sequence cross-entropy (or per-token margin) for sequences of at most `length` tokens, probed
 * with the first two distinct `probeSequences`. Throws the engine's PolicyTraceError (naming op and node) when
 * an op has no backward rule.
 */
export async function openSequenceGradients(
  model: ModelProto,
  probeSequences: readonly TokenSequence[],
  length: number,
  projection: ProjectionOptions | undefined,
  padId = 0,
  file?: string,
  objective: 'sequenceCrossEntropy' | 'sequenceMargin' = 'sequenceCrossEntropy',
): Promise<SequenceGradientModel> {
  const inputNames = checkLmInputs(model, file);
  const first = probeSequences[0];
  const second = probeSequences.find((s) => s.ids.length !== first?.ids.length || s.ids.some((id, t) => id !== first.ids[t]));
  if (!first || !second) throw new PolicyTraceError('the gradient probe needs two different sequences', { field: 'train' }, 'chat.full-model');
  const feeds = padBatch([first, second], inputNames, padId, length);
  delete feeds[LABELS_INPUT];
  return { gradients: await openPerExampleGradients(model, objective, feeds, projection, undefined), length, padId };
}

/** The length every batch is padded to: the longest of the sequence lists. */
export function longestSequence(...lists: (readonly TokenSequence[])[]): number {
  return Math.max(2, ...lists.flatMap((list) => list.map((s) => s.ids.length)));
}

/**
 * Runs `sequences` in batches and calls `visit(sequenceIndex, param, row)` with each sequence's flat gradient
 * row of every parameter (`row` is reused: copy it to keep it); `onObjective(sequenceIndex, loss)` gets the
 * summed cross-entropy first. Sequences without a target token get no visits (their gradient is zero).
 */
export async function forEachSequenceGradient(
  model: SequenceGradientModel,
  sequences: readonly TokenSequence[],
  batchSize: number,
  visit: (sequenceIndex: number, param: string, row: Float32Array) => void,
  onObjective?: (sequenceIndex: number, loss: number) => void,
): Promise<void> {
  const { gradients, length, padId } = model;
  const negate = model.sign === -1;
  const tooLong = sequences.findIndex((s) => s.ids.length > length);
  if (tooLong >= 0) {
    throw new PolicyTraceError(`sequence ${tooLong} has ${sequences[tooLong].ids.length} tokens; the gradient model was built for ${length}`, { field: `sequences[${tooLong}]` }, 'chat.full-model');
  }
  const order = sequences.map((_, i) => i).filter((i) => sequences[i].targetMask.some((m, t) => m && t > 0));
  const outputNames = [...gradients.outputs.map((o) => o.output), ...(onObjective ? [gradients.objectiveOutput] : [])];
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const feeds = padBatch(batch.map((i) => sequences[i]), gradients.inputNames, padId, length);
    const results = await gradients.session.run(feeds, outputNames);
    if (onObjective) {
      const values = results[gradients.objectiveOutput].data as Float32Array;
      batch.forEach((index, b) => onObjective(index, values[b]));
    }
    visitExampleRows(results, gradients.outputs, batch.length, (b, param, row) => {
      if (negate) for (let k = 0; k < row.length; k++) row[k] = -row[k];
      visit(batch[b], param, row);
    });
  }
}
