/**
 * Hidden states at the positions that predict counted tokens. Sequences are right-padded into batches (a
 * causal model's positions before the padding do not see it), sorted by length so little padding is run,
 * and each row lands in input order: row r = h_{t−1} with target ids[t] for every t where targetMask[t] = 1.
 */
import { PolicyTraceError } from '../../errors';
import { ort, type OrtSession } from '../../autodiff/ort';
import { ModelRunner } from '../../runner/modelRunner';
import type { TokenSequence, TokenStates } from './types';

/** One padded batch in, the hidden tensor ([b, s, d] or [b·s, d]) out. */
export type BatchForward = (batch: { inputIds: BigInt64Array; attentionMask: BigInt64Array; dims: [number, number] }) => Promise<{
  data: Float32Array;
  dims: readonly number[];
}>;

export interface CollectOptions {
  /** The exposed hidden-state output (exposeLmHead's hiddenTensor). */
  hiddenTensor: string;
  inputIdsName?: string;
  /** Set to null for a model without an attention-mask input. */
  attentionMaskName?: string | null;
  padId?: number;
  batchSize?: number;
  /** When given, every token id is checked against it. */
  vocabSize?: number;
}

export function sessionForward(session: OrtSession, options: CollectOptions): BatchForward {
  const ids = options.inputIdsName ?? 'input_ids';
  const mask = options.attentionMaskName === undefined ? 'attention_mask' : options.attentionMaskName;
  const useMask = mask !== null && session.inputNames.includes(mask);
  return async ({ inputIds, attentionMask, dims }) => {
    const Tensor = ort().Tensor;
    const feeds: Record<string, InstanceType<typeof Tensor>> = { [ids]: new Tensor('int64', inputIds, dims) };
    if (useMask && mask) feeds[mask] = new Tensor('int64', attentionMask, dims);
    const out = await session.run(feeds, [options.hiddenTensor]);
    const hidden = out[options.hiddenTensor];
    return { data: hidden.data as Float32Array, dims: hidden.dims };
  };
}

export function runnerForward(runner: ModelRunner, options: CollectOptions): BatchForward {
  const ids = options.inputIdsName ?? 'input_ids';
  const mask = options.attentionMaskName === undefined ? 'attention_mask' : options.attentionMaskName;
  const useMask = mask !== null && runner.inputMetadata.some((m) => m.name === mask);
  return async ({ inputIds, attentionMask, dims }) => {
    const feeds = { [ids]: { type: 'int64' as const, dims: [...dims], data: inputIds } };
    if (useMask && mask) Object.assign(feeds, { [mask]: { type: 'int64' as const, dims: [...dims], data: attentionMask } });
    const out = await runner.run([feeds]);
    const hidden = out[options.hiddenTensor];
    if (!hidden) throw new PolicyTraceError(`the runner does not fetch '${options.hiddenTensor}'`, { field: 'hiddenTensor' }, 'lm-head');
    return { data: hidden.data as Float32Array, dims: hidden.dims };
  };
}

function checkSequences(sequences: TokenSequence[], vocabSize?: number): void {
  sequences.forEach((sequence, s) => {
    const where = { field: `sequences[${s}]` };
    if (sequence.ids.length !== sequence.targetMask.length) {
      throw new PolicyTraceError(`${sequence.ids.length} token ids but ${sequence.targetMask.length} mask entries`, where, 'lm-head');
    }
    if (sequence.targetMask[0]) throw new PolicyTraceError('the first token is marked as a target, but nothing predicts it', where, 'lm-head');
    if (vocabSize !== undefined) {
      const bad = sequence.ids.findIndex((id) => !(id >= 0 && id < vocabSize));
      if (bad >= 0) throw new PolicyTraceError(`token ${bad} has id ${sequence.ids[bad]}, outside the vocabulary 0..${vocabSize - 1}`, where, 'lm-head');
    }
  });
}

export async function collectTokenStates(
  source: OrtSession | ModelRunner | BatchForward,
  sequences: TokenSequence[],
  options: CollectOptions,
): Promise<TokenStates> {
  checkSequences(sequences, options.vocabSize);
  const forward = typeof source === 'function' ? source : source instanceof ModelRunner ? runnerForward(source, options) : sessionForward(source, options);
  const firstRow = new Int32Array(sequences.length + 1);
  sequences.forEach((sequence, s) => (firstRow[s + 1] = firstRow[s] + sequence.targetMask.reduce((a, m) => a + (m ? 1 : 0), 0)));
  const rows = firstRow[sequences.length];
  const targets = new Int32Array(rows);
  const sequenceOfRow = new Int32Array(rows);
  let hidden = new Float32Array(0);
  let hiddenSize = 0;
  const order = sequences.map((_, s) => s).filter((s) => firstRow[s + 1] > firstRow[s]).sort((a, b) => sequences[a].ids.length - sequences[b].ids.length);
  const batchSize = Math.max(1, options.batchSize ?? 32);
  const padId = BigInt(options.padId ?? 0);
  for (let start = 0; start < order.length; start += batchSize) {
    const batch = order.slice(start, start + batchSize);
    const length = sequences[batch[batch.length - 1]].ids.length;
    const inputIds = new BigInt64Array(batch.length * length).fill(padId);
    const attentionMask = new BigInt64Array(batch.length * length);
    batch.forEach((s, b) => {
      sequences[s].ids.forEach((id, t) => {
        inputIds[b * length + t] = BigInt(id);
        attentionMask[b * length + t] = 1n;
      });
    });
    const out = await forward({ inputIds, attentionMask, dims: [batch.length, length] });
    const d = out.dims[out.dims.length - 1];
    if (out.data.length !== batch.length * length * d || !(d > 0)) {
      throw new PolicyTraceError(
        `hidden tensor '${options.hiddenTensor}' has shape [${out.dims.join(', ')}]; expected [${batch.length}, ${length}, d]`,
        { field: 'hiddenTensor' },
        'lm-head',
      );
    }
    if (hiddenSize === 0) {
      hiddenSize = d;
      hidden = new Float32Array(rows * d);
    }
    batch.forEach((s, b) => {
      const { ids, targetMask } = sequences[s];
      let row = firstRow[s];
      for (let t = 1; t < ids.length; t++) {
        if (!targetMask[t]) continue;
        const from = (b * length + t - 1) * d;
        hidden.set(out.data.subarray(from, from + d), row * d);
        targets[row] = ids[t];
        sequenceOfRow[row] = s;
        row++;
      }
    });
  }
  return { hidden, targets, sequenceOfRow, sequences: sequences.length, hiddenSize };
}
