/**
 * The fused backward of a unit-scale LayerNorm core followed by ·γ + β (ops/layerNormalizationScaled.ts):
 * γ folded into a centring matrix and a mean column must give the same dx and dγ as finite differences, and
 * must actually replace the general rule's ReduceMeans.
 */
import * as assert from 'assert';
import { constantTensor } from '../../../extension/engine/autodiff/graphEmitter';
import { MAX_FOLDED_FEATURES } from '../../../extension/engine/autodiff/ops/layerNormalizationScaled';
import { gaussianArray } from '../../../extension/engine/autodiff/random';
import { ModelProto, NodeProto, OnnxDataType } from '../../../extension/engine/model/onnxProto';
import { assertMatchesFiniteDifferences } from './finiteDifference';
import { buildBackwardCase, doubleInput, doubleTensor, runOnce } from './backwardCase';
import { BuiltOpCase } from './opCaseModel';
import { FINITE_DIFFERENCE } from './tolerances';

const FEATURES = 5;

/**
 * x [4, 3, 5] → LayerNormalization(x, 1) → ·γ (a [5] input, or [1, 5]) → + β → y, in float64; wrt x and γ.
 * `meanPool`: y is then averaged over axis 1 (the transformer's head), so the norm's dy is an Expand.
 */
async function scaledNormCase(gammaDims: number[], meanPool: boolean, features = FEATURES): Promise<{ built: BuiltOpCase; gradientNodes: NodeProto[] }> {
  const X_DIMS = [4, 3, features];
  const dtype = OnnxDataType.DOUBLE;
  const model: ModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'scaled-norm',
      node: [
        { name: 'norm', opType: 'LayerNormalization', input: ['x', 'ones'], output: ['n'], attribute: [{ name: 'axis', type: 2, i: -1 }] },
        { name: 'scale', opType: 'Mul', input: ['n', 'gamma'], output: ['s'] },
        { name: 'shift', opType: 'Add', input: ['s', 'beta'], output: [meanPool ? 'shifted' : 'y'] },
        ...(meanPool ? [{ name: 'pool', opType: 'ReduceMean', input: ['shifted'], output: ['y'], attribute: [{ name: 'axes', type: 7, ints: [1] }, { name: 'keepdims', type: 2, i: 0 }] }] : []),
      ],
      initializer: [constantTensor('ones', dtype, [features], new Array<number>(features).fill(1)), constantTensor('beta', dtype, [features], gaussianArray(features, 11))],
      input: [doubleInput('x', X_DIMS), doubleInput('gamma', gammaDims)],
      output: [{ name: 'y' }],
    },
  };
  return buildBackwardCase(model, { x: doubleTensor(X_DIMS, 3), gamma: doubleTensor(gammaDims, 5) }, ['x', 'gamma']);
}

describe('autodiff: a LayerNorm core scaled by γ has one fused backward', () => {
  for (const [gammaDims, meanPool] of [
    [[FEATURES], false],
    [[1, FEATURES], false],
    [[FEATURES], true],
  ] as const) {
    it(`dx and dγ (γ [${gammaDims.join(', ')}]${meanPool ? ', then a mean-pool' : ''}) match finite differences, with γ folded into two MatMuls`, async () => {
      const { built, gradientNodes } = await scaledNormCase([...gammaDims], meanPool);
      const ops = gradientNodes.map((n) => n.opType);
      assert.strictEqual(ops.filter((op) => op === 'MatMul').length, 2, `gradient ops: ${ops.join(' ')}`);
      // Only the recomputed statistics (mean of x, mean of the squared deviation) are left as ReduceMeans.
      assert.strictEqual(ops.filter((op) => op === 'ReduceMean').length, 2, `gradient ops: ${ops.join(' ')}`);
      const analytic = await runOnce(built.gradient, { ...built.feeds, seed_y: built.seeds[0].seed });
      await assertMatchesFiniteDifferences(built, analytic, FINITE_DIFFERENCE.double);
    });
  }

  it(`a layer wider than ${MAX_FOLDED_FEATURES} features keeps the general rule (no d × d matrix), still exact`, async () => {
    const features = MAX_FOLDED_FEATURES + 1;
    const { built, gradientNodes } = await scaledNormCase([features], false, features);
    const ops = gradientNodes.map((n) => n.opType);
    assert.strictEqual(ops.filter((op) => op === 'MatMul').length, 0, `gradient ops: ${ops.join(' ')}`);
    const analytic = await runOnce(built.gradient, { ...built.feeds, seed_y: built.seeds[0].seed });
    await assertMatchesFiniteDifferences(built, analytic, FINITE_DIFFERENCE.double);
  });
});
