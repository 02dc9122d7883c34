/**
 * Feeds for one causal-LM call: token ids right-padded to the batch's longest sequence, the attention
 * mask over past + current positions, position ids continuing after the past, and the past key/values
 * (empty tensors on a first call to a model exported with past inputs).
 */
import { PolicyTraceError } from '../errors';
import type { FeedTensor, Feeds, OutputTensor, Outputs } from '../runner/feeds';
import type { IdType, LmInputs } from './lmInputs';

export interface FeedRequest {
  /** Token ids of the new positions, one array per row. */
  rows: readonly ArrayLike<number>[];
  padId: number;
  /** Positions already in the past key/values (all rows share it; generation runs one row). */
  pastLength: number;
  /** present.* outputs of the previous call, fed back as past_key_values.*; absent on a first call. */
  past?: Outputs;
}

export function buildLmFeeds(inputs: LmInputs, request: FeedRequest): { feeds: Feeds; width: number } {
  const { rows, padId, pastLength } = request;
  const width = Math.max(...rows.map((row) => row.length));
  const batch = rows.length;
  const ids = new Array<number>(batch * width).fill(padId);
  const mask = new Array<number>(batch * (pastLength + width)).fill(0);
  const positions = new Array<number>(batch * width).fill(0);
  rows.forEach((row, r) => {
    for (let t = 0; t < row.length; t++) {
      ids[r * width + t] = row[t];
      positions[r * width + t] = pastLength + t;
    }
    for (let t = 0; t < pastLength + row.length; t++) mask[r * (pastLength + width) + t] = 1;
  });
  const feeds: Feeds = { input_ids: intFeed(inputs.idType, [batch, width], ids) };
  if (inputs.attentionMask) feeds.attention_mask = intFeed(inputs.attentionMask, [batch, pastLength + width], mask);
  if (inputs.positionIds) feeds.position_ids = intFeed(inputs.positionIds, [batch, width], positions);
  if (inputs.past) {
    for (let layer = 0; layer < inputs.past.layers; layer++) {
      for (const part of ['key', 'value'] as const) {
        const previous = request.past?.[`present.${layer}.${part}`];
        feeds[`past_key_values.${layer}.${part}`] = previous
          ? pastFeed(previous)
          : { type: 'float32', dims: [batch, inputs.past.heads, 0, inputs.past.headSize], data: new Float32Array(0) };
      }
    }
  }
  return { feeds, width };
}

function intFeed(type: IdType, dims: number[], values: number[]): FeedTensor {
  if (type === 'int32') return { type, dims, data: Int32Array.from(values) };
  return { type, dims, data: BigInt64Array.from(values, (value) => BigInt(value)) };
}

function pastFeed(present: OutputTensor): FeedTensor {
  if (!(present.data instanceof Float32Array)) throw new PolicyTraceError(`a present output is ${present.type}, expected float32`, {}, 'chat.model');
  return { type: 'float32', dims: present.dims, data: present.data };
}
