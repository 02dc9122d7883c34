/**
 * Turns what a model outputs into class probabilities [n, C]. Models end in Softmax (probabilities), raw
 * logits, or a single sigmoid logit; the audit always reasons in C ≥ 2 probability columns so the policy
 * margin log p(a) − log(1 − p(a)) means the same thing for every model.
 */
import type { OutputTensor } from '../runner/feeds';
import { PolicyTraceError } from '../errors';

export type ScoreKind = 'probabilities' | 'logits' | 'sigmoid-logit' | 'sigmoid-probability';

export interface ClassScores {
  probs: Float32Array;
  rows: number;
  columns: number;
}

export function toClassProbabilities(output: OutputTensor, kind: ScoreKind, name: string): ClassScores {
  const rows = output.dims[0] ?? 0;
  const width = rows === 0 ? 0 : output.data.length / rows;
  if (!(output.data instanceof Float32Array || output.data instanceof Float64Array)) {
    throw new PolicyTraceError(`output '${name}' has type ${output.type}; expected float probabilities or logits`, { field: name }, 'model-output');
  }
  const values = output.data;
  if (width === 1) {
    const probs = new Float32Array(rows * 2);
    for (let i = 0; i < rows; i++) {
      const p = kind === 'sigmoid-probability' ? values[i] : 1 / (1 + Math.exp(-values[i]));
      probs[2 * i] = 1 - p;
      probs[2 * i + 1] = p;
    }
    return { probs, rows, columns: 2 };
  }
  const probs = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) {
    if (kind === 'logits') {
      let max = -Infinity;
      for (let c = 0; c < width; c++) max = Math.max(max, values[i * width + c]);
      let sum = 0;
      for (let c = 0; c < width; c++) sum += Math.exp(values[i * width + c] - max);
      for (let c = 0; c < width; c++) probs[i * width + c] = Math.exp(values[i * width + c] - max) / sum;
    } else {
      for (let c = 0; c < width; c++) probs[i * width + c] = values[i * width + c];
    }
  }
  return { probs, rows, columns: width };
}

export function argmaxRows(probs: Float32Array, columns: number): Int32Array {
  const rows = probs.length / columns;
  const decisions = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (probs[i * columns + c] > probs[i * columns + best]) best = c;
    decisions[i] = best;
  }
  return decisions;
}
