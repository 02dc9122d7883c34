/**
 * exposeLmHead and collectTokenStates on small hand-built causal-LM graphs: the lm_head found behind the
 * logits (MatMul by Transpose(lm_head.weight), as torch exports it), the hidden state exposed, rows taken at
 * t − 1 for every counted token t, and clear errors naming the node when no head is there.
 */
import * as assert from 'node:assert/strict';
import { createSession } from '../../../extension/engine/autodiff/ort';
import { collectTokenStates, exposeLmHead } from '../../../extension/engine/chat/lmHead';
import { ModelRunner } from '../../../extension/engine/runner/modelRunner';
import { encodeModel, OnnxDataType, type NodeProto } from '../../../extension/engine/model/onnxProto';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

const V = 9;
const D = 4;
const random = new SeededRandom(51);
const embedding = Array.from({ length: V * D }, () => random.normal());
const lmHead = Array.from({ length: V * D }, () => random.normal());

/** input_ids → Gather(embedding) → Tanh → hidden → MatMul(hidden, Transpose(lm_head.weight)) → logits (+ `tail` ops). */
function tinyLm(tail: NodeProto[] = [], logits = 'logits'): Uint8Array {
  const floatInit = (name: string, dims: number[], values: number[]) => ({ name, dims, dataType: OnnxDataType.FLOAT, floatData: values });
  const io = (name: string, elemType: number, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  return encodeModel({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'tiny_lm',
      input: [io('input_ids', OnnxDataType.INT64, ['b', 's']), io('attention_mask', OnnxDataType.INT64, ['b', 's'])],
      output: [io(logits, OnnxDataType.FLOAT, ['b', 's', V])],
      initializer: [floatInit('wte', [V, D], embedding), floatInit('lm_head.weight', [V, D], lmHead)],
      node: [
        { name: 'embed', opType: 'Gather', input: ['wte', 'input_ids'], output: ['emb'] },
        { name: 'ln_f', opType: 'Tanh', input: ['emb'], output: ['hidden'] },
        { name: 'transpose_head', opType: 'Transpose', input: ['lm_head.weight'], output: ['lm_head.weight.T'] },
        { name: 'lm_head', opType: 'MatMul', input: ['hidden', 'lm_head.weight.T'], output: ['scores'] },
        ...(tail.length ? tail : [{ name: 'out', opType: 'Identity', input: ['scores'], output: [logits] }]),
      ],
    },
  });
}

describe('chat-lmhead: exposeLmHead + collectTokenStates', () => {
  it('finds the untied lm_head weight (V × d, row = vocabulary entry) and exposes its input', () => {
    const exposed = exposeLmHead(tinyLm());
    assert.equal(exposed.hiddenTensor, 'hidden');
    assert.equal(exposed.logitsTensor, 'logits');
    assert.equal(exposed.vocabSize, V);
    assert.equal(exposed.hiddenSize, D);
    assert.equal(exposed.bias, null);
    assert.equal(exposed.weightSource, 'lm_head.weight');
    assert.deepEqual(Array.from(exposed.weight), Array.from(Float32Array.from(lmHead)));
  });

  it('collects h_{t−1} for each counted token t, in input order, across padded batches', async () => {
    const exposed = exposeLmHead(tinyLm());
    const session = await createSession(exposed.modelBytes);
    const sequences = [
      { ids: Int32Array.from([3, 4, 5, 6, 7]), targetMask: Uint8Array.from([0, 0, 1, 1, 1]) },
      { ids: Int32Array.from([1, 2]), targetMask: Uint8Array.from([0, 1]) },
      { ids: Int32Array.from([8, 0, 2, 4]), targetMask: Uint8Array.from([0, 0, 0, 0]) },
      { ids: Int32Array.from([5, 6, 1]), targetMask: Uint8Array.from([0, 1, 1]) },
    ];
    const states = await collectTokenStates(session, sequences, { hiddenTensor: exposed.hiddenTensor, batchSize: 2, vocabSize: V });
    assert.deepEqual(Array.from(states.targets), [5, 6, 7, 2, 6, 1]);
    assert.deepEqual(Array.from(states.sequenceOfRow), [0, 0, 0, 1, 3, 3]);
    assert.equal(states.sequences, 4);
    const previous = [4, 5, 6, 1, 5, 6];
    previous.forEach((id, r) => {
      for (let j = 0; j < D; j++) assert.ok(Math.abs(states.hidden[r * D + j] - Math.tanh(embedding[id * D + j])) < 1e-6);
    });
    await session.release();
  });

  it('gives the same rows through a ModelRunner worker as through an in-process session', async () => {
    const exposed = exposeLmHead(tinyLm());
    const sequences = [
      { ids: Int32Array.from([3, 4, 5]), targetMask: Uint8Array.from([0, 1, 1]) },
      { ids: Int32Array.from([2, 8]), targetMask: Uint8Array.from([0, 1]) },
    ];
    const options = { hiddenTensor: exposed.hiddenTensor };
    const session = await createSession(exposed.modelBytes);
    const viaSession = await collectTokenStates(session, sequences, options);
    await session.release();
    const runner = await ModelRunner.start({ modelBytes: exposed.modelBytes, outputs: [exposed.hiddenTensor] });
    try {
      const viaRunner = await collectTokenStates(runner, sequences, options);
      assert.deepEqual(Array.from(viaRunner.hidden), Array.from(viaSession.hidden));
      assert.deepEqual(Array.from(viaRunner.targets), [4, 5, 8]);
    } finally {
      await runner.dispose();
    }
  });

  it('rejects bad sequences with the sequence named', async () => {
    const exposed = exposeLmHead(tinyLm());
    const session = await createSession(exposed.modelBytes);
    const options = { hiddenTensor: exposed.hiddenTensor, vocabSize: V };
    await assert.rejects(collectTokenStates(session, [{ ids: Int32Array.from([1, 2]), targetMask: Uint8Array.from([1, 1]) }], options), /sequences\[0\].*first token/);
    await assert.rejects(collectTokenStates(session, [{ ids: Int32Array.from([1, 99]), targetMask: Uint8Array.from([0, 1]) }], options), /id 99, outside/);
    await session.release();
  });

  it('names the node when the logits do not come from a MatMul/Gemm', () => {
    const softmaxTail: NodeProto[] = [{ name: 'probs', opType: 'Softmax', input: ['scores'], output: ['logits'], attribute: [{ name: 'axis', type: 2, i: -1 }] }];
    assert.throws(() => exposeLmHead(tinyLm(softmaxTail)), /Softmax.*raw scores/);
    const reluTail: NodeProto[] = [{ name: 'weird_relu', opType: 'Relu', input: ['scores'], output: ['logits'] }];
    assert.throws(() => exposeLmHead(tinyLm(reluTail)), /op Relu at node 'weird_relu'/);
    assert.throws(() => exposeLmHead(tinyLm(), { logits: 'nope' }), /no logits output 'nope'/);
  });
});
