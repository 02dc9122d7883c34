import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { inspectModel } from '../../../extension/engine/model/inspect';
import { MODEL_FIXTURES, RF_MODEL, SENTIMENT_MODELS, SMS_MODEL } from './paths';

describe('inspectModel', () => {
  it('describes the real SMS spam MLP (PyTorch 2.1 export)', async () => {
    const inspection = await inspectModel(SMS_MODEL);
    assert.equal(inspection.irVersion, 8);
    assert.deepEqual(inspection.opsets, [{ domain: 'ai.onnx', version: 15 }]);
    assert.deepEqual(inspection.producer, { name: 'pytorch', version: '2.1.1' });
    assert.deepEqual(inspection.inputs, [{ name: 'input', isTensor: true, type: 'int64', shape: ['batch_size', 100] }]);
    assert.deepEqual(inspection.outputs, [{ name: 'probs', isTensor: true, type: 'float32', shape: ['batch_size', 2] }]);
    // Embedding 1001×16 + fc1 32×16+32 + fc2 2×32+2 + the LayerNorm scale scalar (README: 16,627).
    assert.equal(inspection.parameterCount, 16_627);
    assert.equal(inspection.opCounts['Gemm'], 2);
    assert.equal(inspection.opCounts['Softmax'], 1);
    assert.equal(inspection.nodeCount, Object.values(inspection.opCounts).reduce((a, b) => a + b, 0));
    assert.deepEqual(
      inspection.initializers.find((t) => t.name === 'fc2.weight'),
      { name: 'fc2.weight', dims: [2, 32], type: 'float32' },
    );
    assert.equal(inspection.sizeBytes, 68_065);
    assert.match(inspection.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(inspection.notes, []);
    // The head: Gemm fc2 (transB=1) 32→2 over the 32-wide ReLU features, then Softmax.
    assert.deepEqual(inspection.head, {
      node: '/fc2/Gemm', op: 'Gemm', inputDim: 32, outputDim: 2, featureTensor: '/Relu_output_0',
      logitsTensor: '/fc2/Gemm_output_0', kind: 'softmax', activation: 'Softmax',
    });
  });

  it('names the tensor that feeds the random forest ZipMap output instead of failing', async () => {
    const inspection = await inspectModel(RF_MODEL);
    assert.deepEqual(inspection.opsets, [{ domain: 'ai.onnx.ml', version: 1 }, { domain: 'ai.onnx', version: 9 }]);
    assert.equal(inspection.opCounts['ai.onnx.ml.TreeEnsembleClassifier'], 1);
    assert.equal(inspection.parameterCount, 0);
    const zipMapOutput = inspection.outputs.find((o) => o.name === 'output_probability');
    assert.ok(zipMapOutput);
    assert.equal(zipMapOutput.isTensor, false);
    assert.equal(zipMapOutput.type, 'sequence<map<int64,tensor<float32>>>');
    assert.deepEqual(zipMapOutput.tensorSource, { tensor: 'probabilities', op: 'ZipMap', node: 'ZipMap' });
    assert.equal(inspection.notes.length, 1);
    assert.match(inspection.notes[0] as string, /ZipMap node 'ZipMap'.*reads 'probabilities'/);
    assert.equal(inspection.head, undefined);
    assert.match(inspection.headMissingReason ?? '', /^no linear head: .*TreeEnsembleClassifier node 'TreeEnsembleClassifier'/);
    assert.doesNotMatch(inspection.headMissingReason ?? '', /ZipMap/);
    assert.deepEqual(inspection.inputs[0], { name: 'float_input', isTensor: true, type: 'float32', shape: ['?', 50] });
  });

  it('describes the four tiny sentiment models, fixed and symbolic batch dims alike', async () => {
    const [sentiment1, simple0, simple, sum] = await Promise.all(SENTIMENT_MODELS.map((file) => inspectModel(file)));
    assert.deepEqual(sentiment1?.inputs[0]?.shape, ['batch', 5]);
    assert.deepEqual(sentiment1?.outputs.map((o) => `${o.name}:${o.type}`), ['logit:float32', 'label_bool:bool']);
    assert.deepEqual(simple0?.outputs.map((o) => `${o.name}:${o.type}`), ['logit:float32', 'label:int64']);
    assert.deepEqual(simple?.inputs[0]?.shape, [1, 5]);
    assert.deepEqual(sum?.outputs.map((o) => o.type), ['bool']);
    // S (14×1) + W + b + ones_col (5×1) + thresh: 14 + 1 + 1 + 5 + 1.
    assert.equal(sentiment1?.parameterCount, 22);
    assert.deepEqual([sentiment1, simple0, simple, sum].map((i) => `${i?.head?.op} ${i?.head?.kind}`), ['MatMul sigmoid', 'Gemm sigmoid', 'MatMul sigmoid', 'Mul sigmoid']);
  });

  it('counts parameters of the torch transformer fixture', async () => {
    const inspection = await inspectModel(path.join(MODEL_FIXTURES, 'torch_transformer.onnx'));
    assert.deepEqual(inspection.inputs, [{ name: 'input_ids', isTensor: true, type: 'int64', shape: ['batch', 6] }]);
    assert.equal(inspection.opCounts['MatMul'], 10);
    const sum = inspection.initializers.reduce((total, t) => total + t.dims.reduce((a, b) => a * b, 1), 0);
    assert.equal(inspection.parameterCount, sum);
    assert.ok(inspection.initializers.some((t) => t.name === 'encoder.layers.1.linear2.weight'));
  });

  it('accepts a checkpoint folder', async () => {
    const inspection = await inspectModel(path.dirname(SMS_MODEL));
    assert.equal(inspection.file, SMS_MODEL);
  });
});
