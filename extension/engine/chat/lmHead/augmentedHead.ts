/**
 * A bias is one more weight column against a constant-1 feature: W̃ = [W | b] (V × (d+1)) and h̃ = [h; 1].
 * With that, the gradient, the K-FAC factors and retraining need no bias special case. Heads without a
 * bias (the usual lm_head) use W and h unchanged, so no copy is made.
 */
import { PolicyTraceError } from '../../errors';
import type { LmHead, TokenStates } from './types';

export interface HeadParameters {
  /** V × cols row-major. */
  theta: Float32Array;
  vocabSize: number;
  /** d, or d + 1 with a bias column. */
  cols: number;
  hasBias: boolean;
}

export function checkHead(head: LmHead): void {
  const { vocabSize: v, hiddenSize: d } = head;
  if (!(v > 0 && d > 0) || head.weight.length !== v * d) {
    throw new PolicyTraceError(`lm_head weight has ${head.weight.length} entries, expected ${v} × ${d}`, { field: 'weight' }, 'lm-head');
  }
  if (head.bias && head.bias.length !== v) {
    throw new PolicyTraceError(`lm_head bias has ${head.bias.length} entries, expected ${v}`, { field: 'bias' }, 'lm-head');
  }
}

export function headParameters(head: LmHead): HeadParameters {
  checkHead(head);
  const { vocabSize: v, hiddenSize: d, bias } = head;
  if (!bias) return { theta: head.weight, vocabSize: v, cols: d, hasBias: false };
  const theta = new Float32Array(v * (d + 1));
  for (let r = 0; r < v; r++) {
    theta.set(head.weight.subarray(r * d, (r + 1) * d), r * (d + 1));
    theta[r * (d + 1) + d] = bias[r];
  }
  return { theta, vocabSize: v, cols: d + 1, hasBias: true };
}

/** The head a parameter vector stands for (splits the bias column back out). */
export function headFromParameters(theta: ArrayLike<number>, template: HeadParameters): LmHead {
  const { vocabSize: v, cols, hasBias } = template;
  const d = hasBias ? cols - 1 : cols;
  const weight = new Float32Array(v * d);
  const bias = hasBias ? new Float32Array(v) : null;
  for (let r = 0; r < v; r++) {
    for (let j = 0; j < d; j++) weight[r * d + j] = theta[r * cols + j];
    if (bias) bias[r] = theta[r * cols + d];
  }
  return { weight, bias, vocabSize: v, hiddenSize: d };
}

/** Rows of h̃: h itself, or [h, 1] when the head has a bias. */
export function featureRows(states: TokenStates, parameters: HeadParameters): Float32Array {
  const d = states.hiddenSize;
  const expected = parameters.hasBias ? parameters.cols - 1 : parameters.cols;
  if (d !== expected) {
    throw new PolicyTraceError(`hidden states have ${d} dims but the lm_head expects ${expected}`, { field: 'hiddenSize' }, 'lm-head');
  }
  checkStates(states, parameters.vocabSize);
  if (!parameters.hasBias) return states.hidden;
  const rows = states.targets.length;
  const out = new Float32Array(rows * (d + 1));
  for (let r = 0; r < rows; r++) {
    out.set(states.hidden.subarray(r * d, (r + 1) * d), r * (d + 1));
    out[r * (d + 1) + d] = 1;
  }
  return out;
}

export function checkStates(states: TokenStates, vocabSize: number): void {
  const rows = states.targets.length;
  if (states.hidden.length !== rows * states.hiddenSize || states.sequenceOfRow.length !== rows) {
    throw new PolicyTraceError(
      `token states: ${states.hidden.length} hidden values and ${states.sequenceOfRow.length} sequence ids for ${rows} rows of ${states.hiddenSize}`,
      { field: 'states' },
      'lm-head',
    );
  }
  for (let r = 0; r < rows; r++) {
    const y = states.targets[r];
    const s = states.sequenceOfRow[r];
    if (!(y >= 0 && y < vocabSize) || !(s >= 0 && s < states.sequences)) {
      throw new PolicyTraceError(
        `token states row ${r}: target ${y} (vocabulary 0..${vocabSize - 1}) of sequence ${s} (of ${states.sequences})`,
        { field: `targets[${r}]` },
        'lm-head',
      );
    }
  }
}
