import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel, tensorToFloat32 } from '../../../extension/engine/model/onnxProto';
import { prepareModel } from '../../../extension/engine/model/prepare';
import { applyHead, assertClose, floatData, runDirect } from './ortDirect';
import { EXTERNAL_MODELS, MODEL_FIXTURES, RF_MODEL, SENTIMENT_MODELS, SMS_MODEL } from './paths';

function tokens(ids: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(ids.flat().map(BigInt)), [ids.length, ids[0]?.length ?? 0]);
}

describe('prepareModel on real and torch-exported models', () => {
  it('SMS MLP: head is Gemm fc2 32→2 (transB=1) behind a Softmax; features and logits are exposed', async () => {
    const bytes = await fs.readFile(SMS_MODEL);
    const prepared = prepareModel(bytes, { file: SMS_MODEL });
    const head = prepared.head;
    assert.ok(head, prepared.headMissingReason);
    assert.equal(head.node, '/fc2/Gemm');
    assert.equal(head.op, 'Gemm');
    assert.equal(head.inputDim, 32);
    assert.equal(head.outputDim, 2);
    assert.equal(head.featureTensor, '/Relu_output_0');
    assert.equal(head.logitsTensor, '/fc2/Gemm_output_0');
    assert.equal(head.kind, 'softmax');
    assert.deepEqual(head.postOps, ['Softmax']);
    const initializers = decodeModel(bytes).graph?.initializer ?? [];
    // transB=1: the stored [2, 32] weight is already class × feature.
    assert.deepEqual(head.weight, tensorToFloat32(initializers.find((t) => t.name === 'fc2.weight')!));
    assert.deepEqual(head.bias, tensorToFloat32(initializers.find((t) => t.name === 'fc2.bias')!));
    assert.deepEqual(prepared.outputs.names, ['probs', '/Relu_output_0', '/fc2/Gemm_output_0']);
    assert.equal(prepared.outputs.prediction, 'probs');

    const ids = [Array.from({ length: 100 }, (_, i) => (i < 7 ? [5, 18, 3, 44, 2, 9, 1][i]! : 0)), new Array(100).fill(0)];
    const out = await runDirect(prepared.bytes, { input: tokens(ids) });
    const logits = applyHead(floatData(out['/Relu_output_0']), head.weight, head.bias);
    assertClose(floatData(out['/fc2/Gemm_output_0']), logits, 1e-5, 'logits from W·features + b');
    const probs = floatData(out['probs']);
    for (let n = 0; n < 2; n++) {
      const z0 = logits[2 * n]!, z1 = logits[2 * n + 1]!;
      assertClose([probs[2 * n + 1]!], [1 / (1 + Math.exp(z0 - z1))], 1e-5, 'softmax of the logits');
    }
  });

  it('sentiment1: a one-logit MatMul+Add head (sigmoid kind) with the README weights', async () => {
    const file = SENTIMENT_MODELS[0]!;
    const prepared = prepareModel(await fs.readFile(file), { file });
    const head = prepared.head!;
    assert.equal(head.op, 'MatMul');
    assert.equal(head.node, '/MatMul_1');
    assert.equal(head.biasNode, '/Add');
    assert.equal(head.kind, 'sigmoid');
    assert.equal(head.logitsTensor, 'logit');
    assert.deepEqual([head.inputDim, head.outputDim], [1, 1]);
    assertClose(head.weight, [1.8168], 1e-4, 'W');
    assertClose(head.bias, [1.1749], 1e-4, 'b');
    // "this" alone: S(this) + 4·S(pad) = 1.173 − 4·1.1376, logit −4.96 (README's spurious short-input policy).
    const out = await runDirect(prepared.bytes, { tokens: tokens([[3, 0, 0, 0, 0]]) });
    assertClose(floatData(out[prepared.outputs.features!]), [1.173 - 4 * 1.1376], 1e-3, 'features');
    assertClose(floatData(out['logit']), [-4.961], 2e-3, 'logit');
  });

  it('simple_text_classification0: Gemm 3→1 on concatenated features', async () => {
    const file = SENTIMENT_MODELS[1]!;
    const prepared = prepareModel(await fs.readFile(file), { file });
    assert.equal(prepared.head?.node, '/head/Gemm');
    assert.deepEqual([prepared.head?.inputDim, prepared.head?.outputDim, prepared.head?.kind], [3, 1, 'sigmoid']);
    const out = await runDirect(prepared.bytes, { tokens: tokens([[1, 2, 3, 0, 0], [10, 3, 0, 0, 0]]) });
    const expected = applyHead(floatData(out['/Concat_output_0']), prepared.head!.weight, prepared.head!.bias);
    assertClose(floatData(out['logit']), expected, 1e-5, 'logit');
  });

  it('sentiment_simple and sentiment_sum: heads found behind the GreaterOrEqual decision', async () => {
    for (const [file, op] of [[SENTIMENT_MODELS[2]!, 'MatMul'], [SENTIMENT_MODELS[3]!, 'Mul']] as const) {
      const prepared = prepareModel(await fs.readFile(file), { file });
      const head = prepared.head!;
      assert.ok(head, `${file}: ${prepared.headMissingReason}`);
      assert.equal(head.op, op);
      assert.deepEqual(head.postOps, ['GreaterOrEqual']);
      assert.equal(head.outputTensor, 'label_bool');
      assert.equal(prepared.outputs.logits, '/inner/Add_output_0');
      const out = await runDirect(prepared.bytes, { tokens: tokens([[1, 2, 3, 0, 0]]) });
      const logit = floatData(out['/inner/Add_output_0']);
      assertClose(logit, applyHead(floatData(out[prepared.outputs.features!]), head.weight, head.bias), 1e-5, `${op} logit`);
      assert.equal(out['label_bool']?.data[0], logit[0]! >= 0 ? 1 : 0);
    }
  });

  it('random forest: ZipMap replaced by its probabilities tensor, and no head (TreeEnsembleClassifier)', async () => {
    for (const file of [RF_MODEL, path.join(EXTERNAL_MODELS, 'sms_spam_rf_tfidf50', 'model_probs.onnx')]) {
      const prepared = prepareModel(await fs.readFile(file), { file });
      assert.equal(prepared.head, undefined);
      assert.match(prepared.headMissingReason ?? '', /TreeEnsembleClassifier node 'TreeEnsembleClassifier'/);
      assert.deepEqual(prepared.outputs.names, ['output_label', 'probabilities']);
      assert.equal(prepared.outputs.prediction, 'probabilities');
      assert.deepEqual(prepared.outputs.replaced, [{ output: 'output_probability', by: 'probabilities', op: 'ZipMap', node: 'ZipMap' }]);
      const row = new Float32Array(50);
      row[28] = 0.7002414031357287; // the second test_tfidf.csv row
      row[41] = 0.7139061404235895;
      const out = await runDirect(prepared.bytes, { float_input: new ort.Tensor('float32', row, [1, 50]) });
      const probs = floatData(out['probabilities']);
      assertClose([probs[0]! + probs[1]!], [1], 1e-5, 'probabilities sum');
      assert.equal(out['output_label']?.data[0], probs[1]! > probs[0]! ? 1n : 0n);
    }
  });

  for (const name of ['torch_mlp', 'torch_transformer']) {
    it(`${name}: head weights and exposed features equal torch's`, async () => {
      const reference = JSON.parse(await fs.readFile(path.join(MODEL_FIXTURES, `${name}.reference.json`), 'utf8')) as {
        inputDims: number[]; input: number[]; featureDims: number[]; features: number[];
        outputName: string; output: number[]; headWeight: number[][]; headBias: number[];
      };
      const file = path.join(MODEL_FIXTURES, `${name}.onnx`);
      const prepared = prepareModel(await fs.readFile(file), { file });
      const head = prepared.head!;
      assert.ok(head, prepared.headMissingReason);
      assert.equal(head.op, 'Gemm');
      assert.equal(head.outputTensor, reference.outputName);
      assert.deepEqual([head.outputDim, head.inputDim], [reference.headWeight.length, reference.featureDims[1]]);
      assert.equal(head.kind, name === 'torch_mlp' ? 'softmax' : 'logits');
      assertClose(head.weight, reference.headWeight.flat(), 1e-7, 'W');
      assertClose(head.bias, reference.headBias, 1e-7, 'b');
      const input = name === 'torch_mlp'
        ? new ort.Tensor('float32', Float32Array.from(reference.input), reference.inputDims)
        : new ort.Tensor('int64', BigInt64Array.from(reference.input.map(BigInt)), reference.inputDims);
      const out = await runDirect(prepared.bytes, { [name === 'torch_mlp' ? 'x' : 'input_ids']: input });
      const features = out[prepared.outputs.features!]!;
      assert.deepEqual(features.dims, reference.featureDims);
      assertClose(floatData(features), reference.features, 2e-5, 'features vs torch');
      assertClose(floatData(out[reference.outputName]), reference.output, 2e-5, 'output vs torch');
    });
  }
});
