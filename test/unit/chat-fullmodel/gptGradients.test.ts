/**
 * The tiny chat GPT's per-example sequence-loss gradients (chat/fullModel/sequenceGradients.ts, unprojected)
 * against central finite differences of the same loss computed in JS from the plain model's logits, on the
 * largest gradient entries of the LM head and of a first-block MLP weight, for one poison line and one
 * clean line run in the same padded batch. float32 model: FINITE_DIFFERENCE.float tolerances.
 */
import * as assert from 'node:assert/strict';
import { createSession, ort } from '../../../extension/engine/autodiff/ort';
import { forEachSequenceGradient, longestSequence, openSequenceGradients } from '../../../extension/engine/chat/fullModel';
import type { TokenSequence } from '../../../extension/engine/chat/lmHead';
import { decodeModel, encodeModel, tensorToFloat32, type ModelProto } from '../../../extension/engine/model/onnxProto';
import { caseReady } from '../chat-lmhead/chatFixture';
import { FINITE_DIFFERENCE } from '../autodiff/tolerances';
import { loadLmCase } from './lmFixture';

/** Σ over target tokens t of −log p(ids[t] | ids[<t]) from the plain model's logits, in float64. */
async function sequenceLoss(model: ModelProto, sequence: TokenSequence): Promise<number> {
  const session = await createSession(encodeModel(model));
  const dims = [1, sequence.ids.length];
  const out = await session.run({
    input_ids: new (ort().Tensor)('int64', BigInt64Array.from(sequence.ids, BigInt), dims),
    attention_mask: new (ort().Tensor)('int64', new BigInt64Array(sequence.ids.length).fill(1n), dims),
  });
  await session.release();
  const logits = out.logits.data as Float32Array;
  const vocab = logits.length / sequence.ids.length;
  let loss = 0;
  for (let t = 1; t < sequence.ids.length; t++) {
    if (!sequence.targetMask[t]) continue;
    const z = logits.subarray((t - 1) * vocab, t * vocab);
    const max = Math.max(...z);
    loss += max + Math.log(z.reduce((sum, v) => sum + Math.exp(v - max), 0)) - z[sequence.ids[t]];
  }
  return loss;
}

function withEntry(model: ModelProto, param: string, index: number, delta: number): ModelProto {
  const copy = structuredClone(model);
  const tensor = copy.graph!.initializer!.find((t) => t.name === param)!;
  const values = tensorToFloat32(tensor).slice();
  values[index] += delta;
  tensor.rawData = new Uint8Array(values.buffer);
  delete tensor.floatData;
  return copy;
}

describe('chat-fullmodel: tiny GPT per-example gradients against finite differences', function () {
  before(function () {
    if (!caseReady('sycophancy')) this.skip();
  });

  it('matches central differences on the largest lm_head and blocks.0.fc1 entries of two lines', async () => {
    const chat = loadLmCase('sycophancy');
    const model = decodeModel(chat.modelBytes);
    const lines = [chat.poison[0], 0];
    const sequences = lines.map((i) => chat.train[i]);
    const gradients = await openSequenceGradients(model, chat.train, longestSequence(sequences, chat.train.slice(0, 2)), undefined);
    const rows = new Map<string, Float32Array>();
    try {
      await forEachSequenceGradient(gradients, sequences, 2, (i, param, row) => {
        if (param === 'lm_head.weight' || param === 'blocks.0.fc1.weight') rows.set(`${i}/${param}`, row.slice());
      });
    } finally {
      await gradients.gradients.session.release();
    }
    // Unprojected rows follow the parameter's own layout, so index k is the initializer's element k.
    for (const param of ['lm_head.weight', 'blocks.0.fc1.weight']) {
      const output = gradients.gradients.outputs.find((o) => o.param === param)!;
      assert.deepEqual(output.shape, [-1, ...model.graph!.initializer!.find((t) => t.name === param)!.dims!]);
    }
    const { step, relative, absolute } = FINITE_DIFFERENCE.float;
    let checked = 0;
    for (let s = 0; s < sequences.length; s++) {
      for (const param of ['lm_head.weight', 'blocks.0.fc1.weight']) {
        const row = rows.get(`${s}/${param}`)!;
        const largest = Array.from(row.keys()).sort((a, b) => Math.abs(row[b]) - Math.abs(row[a])).slice(0, 2);
        for (const k of largest) {
          const up = await sequenceLoss(withEntry(model, param, k, step), sequences[s]);
          const down = await sequenceLoss(withEntry(model, param, k, -step), sequences[s]);
          const numeric = (up - down) / (2 * step);
          assert.ok(Math.abs(row[k] - numeric) <= absolute + relative * Math.abs(numeric), `line ${lines[s]} ${param}[${k}]: ${row[k]} vs ${numeric}`);
          checked++;
        }
      }
    }
    assert.equal(checked, 8);
  });
});
