/**
 * K-FAC / EK-FAC against the exact damped Fisher where the Kronecker factorisation is exact: one linear layer,
 * one row per example, and W = 0 so every example has the same p (uniform): the true Fisher per example is then
 * (diag p − ppᵀ) ⊗ a aᵀ, whose mean over examples is exactly G ⊗ A, also after LoGra projection. The exact
 * reference is TRAK with the true Fisher over the same projected gradients (dense (F + λI)⁻¹ by Cholesky, λ by
 * the same rule). With a trained-looking W the factorisation is only approximate, and the test shows the error.
 */
import * as assert from 'node:assert/strict';
import type { Example } from '../../../extension/engine/data/example';
import type { Featurizer } from '../../../extension/engine/featurize/featurizer';
import { attributePolicyFullModel, type FullModelAttributionInput } from '../../../extension/engine/attribution/fullModel';
import { encodeModel, OnnxDataType } from '../../../extension/engine/model/onnxProto';
import { SeededRandom } from '../../../extension/engine/linalg/rng';
import { factorEigen } from '../../../extension/engine/attribution/kfacEigen';

const FEATURES = 6;
const CLASSES = 3;

function linearSoftmaxModel(weights: Float32Array): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'one_linear_layer',
      node: [
        { name: 'linear', opType: 'MatMul', input: ['x', 'W'], output: ['logits'] },
        { name: 'softmax', opType: 'Softmax', input: ['logits'], output: ['probs'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      ],
      initializer: [{ name: 'W', dataType: OnnxDataType.FLOAT, dims: [FEATURES, CLASSES], rawData: new Uint8Array(weights.buffer.slice(0)) }],
      input: [{ name: 'x', type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: FEATURES }] } } } }],
      output: [{ name: 'probs', type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: CLASSES }] } } } }],
    },
  });
}

const numericFeaturizer: Featurizer = {
  describe: () => 'numeric x',
  tokens: () => [],
  encode: (batch) => ({ x: { type: 'float32', data: Float32Array.from(batch.flatMap((e) => e.numeric!)), dims: [batch.length, FEATURES] } }),
};

function examples(count: number, random: SeededRandom): Example[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(i), file: 'synthetic', line: i + 1, endLine: i + 1, byteOffset: 0, byteLength: 0, text: '', record: {},
    numeric: Array.from({ length: FEATURES }, () => random.normal()),
  }));
}

async function influence(weights: Float32Array, preconditioner: 'kfac' | 'ekfac' | 'trak'): Promise<{ influence: Float64Array; method: string; damping?: number }> {
  const random = new SeededRandom(3);
  const train = examples(40, random);
  const input: FullModelAttributionInput = {
    modelBytes: linearSoftmaxModel(weights),
    featurizer: numericFeaturizer,
    train,
    trainLabels: Int32Array.from(train, () => random.int(CLASSES)),
    probes: train,
    coveredProbes: [0, 1, 2, 3, 4],
    actionClass: 0,
    headParams: ['W'],
    projection: { kIn: 4, kOut: 3, seed: 5 },
    preconditioner,
    fisher: 'true',
    batchSize: 16,
  };
  return attributePolicyFullModel(input);
}

function relativeDifference(a: Float64Array, b: Float64Array): number {
  let difference = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    difference += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(difference / norm);
}

describe('K-FAC / EK-FAC in the projected space', () => {
  it('the factors\' Jacobi eigen-decomposition satisfies A v = λ v with orthonormal v', () => {
    const random = new SeededRandom(2);
    const n = 12;
    const x = Array.from({ length: 3 * n * n }, () => random.normal());
    const a = new Float64Array(n * n); // a Gram matrix of rank 3n (> n): symmetric positive definite
    for (let r = 0; r < 3 * n; r++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += x[r * n + i] * x[r * n + j];
    const { values, vectors } = factorEigen(a, n, 'test');
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[j * n + k];
        assert.ok(Math.abs(av - values[k] * vectors[i * n + k]) < 1e-9 * values.reduce((m, v) => Math.max(m, Math.abs(v)), 0));
      }
      for (let l = 0; l < n; l++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += vectors[i * n + k] * vectors[i * n + l];
        assert.ok(Math.abs(dot - (k === l ? 1 : 0)) < 1e-12);
      }
    }
    assert.throws(() => factorEigen(new Float64Array(5), 2, 'bad factor'), /bad factor: 5 entries for 2 × 2/);
  });


  it('equal the exact damped true Fisher where the Kronecker factorisation is exact (W = 0)', async () => {
    const zero = new Float32Array(FEATURES * CLASSES);
    const exact = await influence(zero, 'trak');
    for (const kind of ['kfac', 'ekfac'] as const) {
      const kronecker = await influence(zero, kind);
      const error = relativeDifference(kronecker.influence, exact.influence);
      console.log(`      ${kind} vs exact: relative difference ${error.toExponential(2)}, λ ${kronecker.damping?.toExponential(3)} vs ${exact.damping?.toExponential(3)}`);
      assert.ok(error < 1e-4, `${kind}: ${error}`);
      assert.ok(Math.abs(kronecker.damping! - exact.damping!) <= 1e-4 * exact.damping!);
      assert.match(kronecker.method, kind === 'kfac' ? /K-FAC per layer/ : /EK-FAC per layer/);
    }
  });

  it('are approximations once examples have different p (W ≠ 0): the error is measured, not zero', async () => {
    const random = new SeededRandom(11);
    const weights = Float32Array.from({ length: FEATURES * CLASSES }, () => 1.5 * random.normal());
    const exact = await influence(weights, 'trak');
    const errors: Record<string, number> = {};
    for (const kind of ['kfac', 'ekfac'] as const) errors[kind] = relativeDifference((await influence(weights, kind)).influence, exact.influence);
    console.log(`      relative difference to the exact damped Fisher: K-FAC ${errors.kfac.toExponential(2)}, EK-FAC ${errors.ekfac.toExponential(2)}`);
    assert.ok(errors.kfac > 1e-3 && errors.ekfac > 1e-3);
  });
});
