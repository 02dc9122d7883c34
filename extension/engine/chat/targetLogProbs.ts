/**
 * log p(sequence targets) from next-token logits: for every scored position t, log p(ids[t] | ids[<t]) is
 * read from the logits at t − 1, through a log-softmax computed in Float64 (a sum over a 50k vocabulary in
 * Float32 would lose the small probabilities the margins are made of).
 */
import { PolicyTraceError } from '../errors';

export interface ScoredSequence {
  ids: ArrayLike<number>;
  targetMask: ArrayLike<number>;
}

/**
 * `logits` holds a batch row-major as [rows, width, vocab]; row r is `sequences[r]`, right-padded to `width`.
 * Returns the summed target log-probability per row.
 */
export function sumTargetLogProbs(logits: Float32Array, sequences: readonly ScoredSequence[], width: number, vocab: number): Float64Array {
  const result = new Float64Array(sequences.length);
  sequences.forEach((sequence, row) => {
    let total = 0;
    for (let t = 1; t < sequence.ids.length; t++) {
      if (sequence.targetMask[t] !== 1) continue;
      const base = (row * width + (t - 1)) * vocab;
      total += logSoftmaxAt(logits, base, vocab, sequence.ids[t]);
    }
    result[row] = total;
  });
  return result;
}

/** log softmax(logits[base .. base+vocab))[token], with the maximum subtracted for stability. */
export function logSoftmaxAt(logits: Float32Array, base: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if (logits[base + v] > max) max = logits[base + v];
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[base + v] - max);
  return logits[base + token] - max - Math.log(sum);
}

/** Index of the largest logit at one position (the first on ties), for greedy decoding. */
export function argmaxAt(logits: Float32Array, base: number, vocab: number): number {
  let best = 0;
  for (let v = 1; v < vocab; v++) if (logits[base + v] > logits[base + best]) best = v;
  return best;
}

/** A scored sequence must leave its first token unscored (nothing predicts it) and use ids inside the vocabulary. */
export function checkScoredSequence(sequence: ScoredSequence, index: number, vocab: number | undefined): void {
  if (sequence.ids.length !== sequence.targetMask.length) {
    throw new PolicyTraceError(`sequence ${index}: ${sequence.ids.length} ids but ${sequence.targetMask.length} target-mask values`, {}, 'chat.sequence');
  }
  if (sequence.ids.length === 0) throw new PolicyTraceError(`sequence ${index} is empty`, {}, 'chat.sequence');
  if (sequence.targetMask[0] === 1) {
    throw new PolicyTraceError(`sequence ${index}: its first token is marked as a target, but no prefix predicts it`, {}, 'chat.sequence');
  }
  if (vocab === undefined) return;
  for (let t = 0; t < sequence.ids.length; t++) {
    const id = sequence.ids[t];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new PolicyTraceError(`sequence ${index}: token ${t} has id ${id}, outside the model's vocabulary of ${vocab}`, {}, 'chat.sequence');
    }
  }
}
