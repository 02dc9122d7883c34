/**
 * The featurization graph's speed rewrites stay exact: shape arithmetic folded into constants (shapeFolding.ts)
 * gives the same outputs at batch sizes the probe never saw, and a transposed product emitted as a reordered
 * product (GraphEmitter.transposeOfProduct) matches finite differences.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { buildGradientModel } from '../../../extension/engine/autodiff/buildGradientModel';
import { constantTensor, GraphEmitter } from '../../../extension/engine/autodiff/graphEmitter';
import { ort } from '../../../extension/engine/autodiff/ort';
import { probeBatchLayout, selectRows } from '../../../extension/engine/autodiff/probe';
import { foldForwardShapeArithmetic } from '../../../extension/engine/autodiff/shapeFolding';
import { attributeInts, decodeModel, encodeModel, ModelProto, NodeProto, OnnxDataType } from '../../../extension/engine/model/onnxProto';
import { assertMatchesFiniteDifferences } from './finiteDifference';
import { buildBackwardCase, doubleInput, doubleTensor, runOnce } from './backwardCase';
import { BuiltOpCase } from './opCaseModel';
import { loadReference, relativeError } from './referenceFixtures';
import { FINITE_DIFFERENCE, TORCH_REFERENCE_RELATIVE } from './tolerances';

describe('autodiff: shape arithmetic folded for featurization', () => {
  it('the transformer computes the same outputs at a batch size the probe never saw, without its Shape chains', async () => {
    const reference = loadReference('transformer');
    const source = decodeModel(fs.readFileSync(reference.modelPath));
    const probe = await probeBatchLayout(source, reference.feeds);
    const folded = structuredClone(source);
    const emit = new GraphEmitter(folded, probe.infos);
    emit.assumeProbeShapes(probe);
    const replaced = foldForwardShapeArithmetic(emit, folded.graph!.node!);
    emit.removeDeadNodes();
    const count = (model: ModelProto, op: string) => model.graph!.node!.filter((n) => n.opType === op).length;
    assert.ok(replaced > 0, 'some shape inputs became constants');
    assert.ok(count(source, 'Shape') > 0 && count(folded, 'Shape') === 0, `Shape nodes: ${count(source, 'Shape')} → ${count(folded, 'Shape')}`);
    assert.ok(folded.graph!.node!.length < source.graph!.node!.length);

    const rows = Array.from({ length: reference.batch + 4 }, (_, i) => i % reference.batch);
    const feeds = Object.fromEntries(Object.entries(reference.feeds).map(([name, tensor]) => [name, selectRows(tensor, rows)]));
    const want = await runOnce(encodeModel(source), feeds);
    const got = await runOnce(encodeModel(folded), feeds);
    for (const [name, tensor] of Object.entries(want)) {
      assert.deepStrictEqual([...got[name].dims], [...tensor.dims], name);
      assert.deepStrictEqual([...(got[name].data as Float32Array)], [...(tensor.data as Float32Array)], name);
    }
  });

  it('per-example gradients of the folded featurization graph match torch on a batch smaller than the probe', async () => {
    const reference = loadReference('transformer');
    const expected = reference.objectives.get('crossEntropy')!;
    const source = decodeModel(fs.readFileSync(reference.modelPath));
    const built = await buildGradientModel(source, { loss: 'crossEntropy', labelsInput: 'labels', wrt: 'all-float-initializers', perExample: true, summedGradients: false, probeExamples: reference.feeds });
    const rows = [0, 1, 2];
    assert.ok(rows.length < reference.batch);
    const feeds = Object.fromEntries(Object.entries(reference.feeds).map(([name, tensor]) => [name, selectRows(tensor, rows)]));
    const labels = new (ort().Tensor)('int64', BigInt64Array.from(rows, (r) => expected.targets[r]), [rows.length]);
    const results = await runOnce(encodeModel(built.model), { ...feeds, labels });
    for (const output of built.gradientOutputs) {
      const perExample = expected.params.get(output.param)!.perExample;
      const size = perExample.length / reference.batch;
      const error = relativeError(results[output.output].data as Float32Array, perExample.subarray(0, rows.length * size));
      assert.ok(error <= TORCH_REFERENCE_RELATIVE, `${output.param}: relative error ${error.toExponential(2)}`);
    }
  });
});

/**
 * x [4, 3, 2] → Transpose [1, 0, 2] → ÷ 2 → MatMul with k ([3, 2, 5], or a [2, 5] weight): the backward's
 * dx is Transpose(dy·kᵀ ÷ 2, [1, 0, 2]), the attention dQ pattern that transposeOfProduct reorders.
 */
async function transposedProductCase(weightDims: number[]): Promise<{ built: BuiltOpCase; gradientNodes: NodeProto[] }> {
  const dtype = OnnxDataType.DOUBLE;
  const model: ModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'transposed-product',
      node: [
        { name: 'swap', opType: 'Transpose', input: ['x'], output: ['t'], attribute: [{ name: 'perm', type: 7, ints: [1, 0, 2] }] },
        { name: 'scale', opType: 'Div', input: ['t', 'two'], output: ['d'] },
        { name: 'product', opType: 'MatMul', input: ['d', 'k'], output: ['y'] },
      ],
      initializer: [constantTensor('two', dtype, [], [2])],
      input: [doubleInput('x', [4, 3, 2]), doubleInput('k', weightDims)],
      output: [{ name: 'y' }],
    },
  };
  return buildBackwardCase(model, { x: doubleTensor([4, 3, 2], 3), k: doubleTensor(weightDims, 5) }, ['x', 'k']);
}

describe('autodiff: transposed products are reordered', () => {
  for (const weightDims of [
    [3, 2, 5],
    [2, 5],
  ]) {
    it(`dx of Transpose → Div → MatMul with a [${weightDims.join(', ')}] operand matches finite differences, swapping no leading axes`, async () => {
      const { built, gradientNodes } = await transposedProductCase(weightDims);
      const perms = gradientNodes.filter((n) => n.opType === 'Transpose').map((n) => attributeInts(n, 'perm')?.join());
      assert.ok(perms.includes('2,0,1'), `transposes emitted: ${perms.join(' | ')}`);
      assert.ok(!perms.includes('1,0,2'), `transposes emitted: ${perms.join(' | ')}`);
      const analytic = await runOnce(built.gradient, { ...built.feeds, seed_y: built.seeds[0].seed });
      await assertMatchesFiniteDifferences(built, analytic, FINITE_DIFFERENCE.double);
    });
  }
});
