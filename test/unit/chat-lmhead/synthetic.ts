/** Random LM-head problems (hidden states, targets, A/B probes) and a plain Float64 reference of the SFT loss. */
import { SeededRandom } from '../../../extension/engine/linalg/rng';
import type { AbProbeStates, LmHead, TokenStates } from '../../../extension/engine/chat/lmHead';

export function randomStates(random: SeededRandom, sequences: number, hiddenSize: number, vocabSize: number, maxLength = 4): TokenStates {
  const lengths = Array.from({ length: sequences }, () => 1 + random.int(maxLength));
  const rows = lengths.reduce((a, b) => a + b, 0);
  const hidden = Float32Array.from({ length: rows * hiddenSize }, () => random.normal());
  const targets = Int32Array.from({ length: rows }, () => random.int(vocabSize));
  const sequenceOfRow = new Int32Array(rows);
  let r = 0;
  lengths.forEach((length, s) => {
    for (let t = 0; t < length; t++) sequenceOfRow[r++] = s;
  });
  return { hidden, targets, sequenceOfRow, sequences, hiddenSize };
}

export function randomHead(random: SeededRandom, vocabSize: number, hiddenSize: number, withBias: boolean): LmHead {
  return {
    weight: Float32Array.from({ length: vocabSize * hiddenSize }, () => 0.5 * random.normal()),
    bias: withBias ? Float32Array.from({ length: vocabSize }, () => 0.5 * random.normal()) : null,
    vocabSize,
    hiddenSize,
  };
}

export function randomProbes(random: SeededRandom, probes: number, hiddenSize: number, vocabSize: number): AbProbeStates {
  return { matching: randomStates(random, probes, hiddenSize, vocabSize, 3), notMatching: randomStates(random, probes, hiddenSize, vocabSize, 3) };
}

/** log p(y_r | h_r) for every row, in Float64, for a head given as W (V × d) and bias. */
export function referenceLogProbs(weight: ArrayLike<number>, bias: ArrayLike<number> | null, states: TokenStates, vocabSize: number): Float64Array {
  const d = states.hiddenSize;
  const out = new Float64Array(states.targets.length);
  const z = new Float64Array(vocabSize);
  for (let r = 0; r < out.length; r++) {
    let max = -Infinity;
    for (let v = 0; v < vocabSize; v++) {
      let sum = bias ? bias[v] : 0;
      for (let j = 0; j < d; j++) sum += weight[v * d + j] * states.hidden[r * d + j];
      z[v] = sum;
      max = Math.max(max, sum);
    }
    let total = 0;
    for (let v = 0; v < vocabSize; v++) total += Math.exp(z[v] - max);
    out[r] = z[states.targets[r]] - max - Math.log(total);
  }
  return out;
}

export function sumRowsOf(values: Float64Array, states: TokenStates, sequence: number): number {
  let s = 0;
  for (let r = 0; r < values.length; r++) if (states.sequenceOfRow[r] === sequence) s += values[r];
  return s;
}
