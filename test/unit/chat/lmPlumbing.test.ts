import * as assert from 'node:assert/strict';
import { buildLmFeeds } from '../../../extension/engine/chat/lmFeeds';
import { detectLmInputs } from '../../../extension/engine/chat/lmInputs';
import { argmaxAt, checkScoredSequence, logSoftmaxAt, sumTargetLogProbs } from '../../../extension/engine/chat/targetLogProbs';
import type { TensorMetadata } from '../../../extension/engine/runner/messages';

const ids = (name: string, type = 'int64'): TensorMetadata => ({ name, isTensor: true, type, shape: ['batch', 'sequence'] });
const past = (name: string, shape: (number | string)[] = ['batch', 2, 'past', 4]): TensorMetadata => ({ name, isTensor: true, type: 'float32', shape });

describe('chat/LM plumbing', () => {
  it('detects input_ids, attention_mask, position_ids and past key/values', () => {
    const inputs = [ids('input_ids'), ids('attention_mask'), ids('position_ids', 'int32'), past('past_key_values.0.key'), past('past_key_values.0.value')];
    const detected = detectLmInputs(inputs, ['logits', 'present.0.key', 'present.0.value']);
    assert.deepEqual(detected, {
      idType: 'int64',
      attentionMask: 'int64',
      positionIds: 'int32',
      past: { layers: 1, heads: 2, headSize: 4, type: 'float32' },
      logits: 'logits',
    });
    assert.deepEqual(detectLmInputs([ids('input_ids')], ['lm_logits']), { idType: 'int64', logits: 'lm_logits' });
  });

  it('refuses unsupported inputs by name, and incomplete past signatures', () => {
    assert.throws(() => detectLmInputs([ids('input_ids'), ids('token_type_ids')], ['logits'], '/m.onnx'), /\/m.onnx, field input token_type_ids: unsupported model input 'token_type_ids'/);
    assert.throws(() => detectLmInputs([ids('tokens')], ['logits']), /no 'input_ids' input \(its inputs: tokens\)/);
    assert.throws(() => detectLmInputs([ids('input_ids'), past('past_key_values.0.key')], ['logits', 'present.0.key']), /no 'past_key_values\.0\.value'/);
    const both = [ids('input_ids'), past('past_key_values.0.key'), past('past_key_values.0.value')];
    assert.throws(() => detectLmInputs(both, ['logits', 'present.0.key']), /has no 'present\.0\.value' output/);
    const symbolic = [ids('input_ids'), past('past_key_values.0.key', ['b', 'h', 'p', 'd']), past('past_key_values.0.value')];
    assert.throws(() => detectLmInputs(symbolic, ['logits', 'present.0.key', 'present.0.value']), /fixed heads and head_size/);
  });

  it('pads rows right, masks past + current positions, continues positions after the past', () => {
    const inputs = detectLmInputs(
      [ids('input_ids'), ids('attention_mask'), ids('position_ids'), past('past_key_values.0.key'), past('past_key_values.0.value')],
      ['logits', 'present.0.key', 'present.0.value'],
    );
    const first = buildLmFeeds(inputs, { rows: [[5, 6, 7], [8]], padId: 0, pastLength: 0 });
    assert.equal(first.width, 3);
    assert.deepEqual(Array.from(first.feeds.input_ids.data as BigInt64Array, Number), [5, 6, 7, 8, 0, 0]);
    assert.deepEqual(Array.from(first.feeds.attention_mask.data as BigInt64Array, Number), [1, 1, 1, 1, 0, 0]);
    assert.deepEqual(first.feeds['past_key_values.0.key'].dims, [2, 2, 0, 4]);
    const present = { type: 'float32', dims: [1, 2, 3, 4], data: new Float32Array(24) };
    const next = buildLmFeeds(inputs, { rows: [[9]], padId: 0, pastLength: 3, past: { 'present.0.key': present, 'present.0.value': present } });
    assert.deepEqual(next.feeds.attention_mask.dims, [1, 4]);
    assert.deepEqual(Array.from(next.feeds.position_ids.data as BigInt64Array, Number), [3]);
    assert.equal(next.feeds['past_key_values.0.value'].data, present.data);
  });

  it('sums target log-probs from the logits one position earlier, in float64', () => {
    const vocab = 3;
    const width = 3;
    // Row 0: ids [0, 2, 1], targets at t=1,2. Row 1: ids [0, 1] padded, target at t=1.
    const logits = new Float32Array([1, 2, 3, 0, 0, 0, 9, 9, 9, /* row 1 */ 5, 1, 1, 7, 7, 7, 7, 7, 7]);
    const sums = sumTargetLogProbs(logits, [{ ids: [0, 2, 1], targetMask: [0, 1, 1] }, { ids: [0, 1], targetMask: [0, 1] }], width, vocab);
    const lse = (a: number[]) => Math.log(a.reduce((s, x) => s + Math.exp(x), 0));
    assert.ok(Math.abs(sums[0] - (3 - lse([1, 2, 3]) + (0 - lse([0, 0, 0])))) < 1e-12);
    assert.ok(Math.abs(sums[1] - (1 - lse([5, 1, 1]))) < 1e-12);
    // Large logits must not overflow: log-softmax subtracts the maximum first.
    assert.ok(Math.abs(logSoftmaxAt(new Float32Array([1000, 1000]), 0, 2, 1) - Math.log(0.5)) < 1e-12);
    assert.equal(argmaxAt(new Float32Array([0, 4, 4, 1]), 0, 4), 1);
  });

  it('refuses a scored first token, mismatched lengths and ids outside the vocabulary', () => {
    assert.throws(() => checkScoredSequence({ ids: [1, 2], targetMask: [1, 1] }, 3, 10), /sequence 3: its first token is marked as a target/);
    assert.throws(() => checkScoredSequence({ ids: [1, 2], targetMask: [0] }, 0, 10), /2 ids but 1 target-mask/);
    assert.throws(() => checkScoredSequence({ ids: [1, 12], targetMask: [0, 1] }, 0, 10), /id 12, outside the model's vocabulary of 10/);
  });
});
