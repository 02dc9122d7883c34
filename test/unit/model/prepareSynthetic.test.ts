import { strict as assert } from 'node:assert';
import * as ort from 'onnxruntime-node';
import { GraphProto, NodeProto, OnnxDataType } from '../../../extension/engine/model/onnxProto';
import { prepareModel } from '../../../extension/engine/model/prepare';
import { floatInitializer, modelBytes, pseudoRandom, tensorInfo } from '../runner/syntheticModels';
import { applyHead, assertClose, floatData, runDirect } from './ortDirect';

const D = 4;
const C = 3;
const FLOAT = OnnxDataType.FLOAT;

/** x [batch, D] → Relu → h → (nodes under test) → output named `out`. */
function graphWith(nodes: NodeProto[], initializers = [floatInitializer('w_dc', [D, C], pseudoRandom(D * C, 5)), floatInitializer('b', [C], pseudoRandom(C, 6))], outDims: (number | string)[] = ['batch', C]): GraphProto {
  return {
    name: 'synthetic',
    node: [{ name: 'relu', opType: 'Relu', input: ['x'], output: ['h'] }, ...nodes],
    initializer: initializers,
    input: [tensorInfo('x', FLOAT, ['batch', D])],
    output: [tensorInfo('out', FLOAT, outDims)],
  };
}

async function checkRuns(bytes: Uint8Array, features: string, logits: string, weight: Float32Array, bias: Float32Array): Promise<void> {
  const x = new ort.Tensor('float32', pseudoRandom(2 * D, 9), [2, D]);
  const out = await runDirect(bytes, { x });
  assertClose(floatData(out[logits]), applyHead(floatData(out[features]), weight, bias), 1e-5, 'logits = W·features + b');
}

describe('prepareModel head orientation and shapes (synthetic graphs)', () => {
  it('Gemm with transB=0 and alpha/beta: W is transposed to class rows and scaled', async () => {
    const bytes = modelBytes(graphWith([
      { name: 'gemm', opType: 'Gemm', input: ['h', 'w_dc', 'b'], output: ['out'], attribute: [{ name: 'alpha', type: 1, f: 2 }, { name: 'beta', type: 1, f: 0.5 }] },
    ]));
    const prepared = prepareModel(bytes);
    const head = prepared.head!;
    assert.deepEqual([head.op, head.inputDim, head.outputDim, head.kind], ['Gemm', D, C, 'logits']);
    const stored = pseudoRandom(D * C, 5);
    assertClose([head.weight[1 * D + 2]!], [2 * stored[2 * C + 1]!], 1e-7, 'W[class 1, feature 2] = alpha · B[2, 1]');
    assertClose(head.bias, pseudoRandom(C, 6).map((v) => v * 0.5), 1e-7, 'b = beta · C');
    await checkRuns(prepared.bytes, 'h', 'out', head.weight, head.bias);
  });

  it('MatMul by Transpose(weight) + Add + Sigmoid (a torch 3-D Linear without constant folding)', async () => {
    const bytes = modelBytes(graphWith(
      [
        { name: 'w_t', opType: 'Transpose', input: ['w_cd'], output: ['w_t_out'] },
        { name: 'mm', opType: 'MatMul', input: ['h', 'w_t_out'], output: ['scores'] },
        { name: 'add', opType: 'Add', input: ['b', 'scores'], output: ['z'] },
        { name: 'sig', opType: 'Sigmoid', input: ['z'], output: ['out'] },
      ],
      [floatInitializer('w_cd', [C, D], pseudoRandom(C * D, 7)), floatInitializer('b', [C], pseudoRandom(C, 6))],
    ));
    const prepared = prepareModel(bytes);
    const head = prepared.head!;
    assert.deepEqual([head.op, head.node, head.biasNode, head.kind, head.activation], ['MatMul', 'mm', 'add', 'sigmoid', 'Sigmoid']);
    assert.equal(head.weightSource, 'w_cd');
    assertClose(head.weight, pseudoRandom(C * D, 7), 0, 'W equals the stored [C, D] weight');
    assert.deepEqual(prepared.outputs.names, ['out', 'h', 'z']);
    await checkRuns(prepared.bytes, 'h', 'z', head.weight, head.bias);
  });

  it('MatMul without bias, LogSoftmax, Flatten: zero bias, softmax kind', async () => {
    const bytes = modelBytes(graphWith([
      { name: 'mm', opType: 'MatMul', input: ['h', 'w_dc'], output: ['z'] },
      { name: 'lsm', opType: 'LogSoftmax', input: ['z'], output: ['lp'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      { name: 'flat', opType: 'Flatten', input: ['lp'], output: ['out'] },
    ]));
    const head = prepareModel(bytes).head!;
    assert.deepEqual([head.kind, head.postOps], ['softmax', ['LogSoftmax', 'Flatten']]);
    assert.deepEqual(head.bias, new Float32Array(C));
  });

  it('a head reading the graph input directly is exposed through an Identity', async () => {
    const bytes = modelBytes({
      ...graphWith([]),
      node: [{ name: 'gemm', opType: 'Gemm', input: ['x', 'w_dc', 'b'], output: ['out'] }],
    });
    const prepared = prepareModel(bytes);
    assert.equal(prepared.outputs.features, 'policytrace/x');
    await checkRuns(prepared.bytes, 'policytrace/x', 'out', prepared.head!.weight, prepared.head!.bias);
  });

  it('says which op it found when there is no linear head, and honours options.output', () => {
    const bytes = modelBytes({
      ...graphWith([{ name: 'soft', opType: 'Softmax', input: ['h'], output: ['out'] }], [], ['batch', D]),
    });
    const prepared = prepareModel(bytes, { exposeHead: true });
    assert.equal(prepared.head, undefined);
    assert.match(prepared.headMissingReason ?? '', /Relu node 'relu', not from a linear layer/);
    assert.match(prepareModel(bytes, { output: 'nope' }).headMissingReason ?? '', /no output 'nope' \(outputs: out\)/);
  });

  it('exposeHead: false finds the head but leaves the outputs alone', () => {
    const bytes = modelBytes(graphWith([{ name: 'gemm', opType: 'Gemm', input: ['h', 'w_dc', 'b'], output: ['out'] }]));
    const prepared = prepareModel(bytes, { exposeHead: false });
    assert.ok(prepared.head);
    assert.deepEqual(prepared.outputs.names, ['out']);
    assert.equal(prepared.outputs.features, undefined);
  });
});
