/**
 * The LM-head curvatures against dense Float64 references on a small problem: K-FAC's exact damped inverse
 * (n·B⊗A + λI)⁻¹ by Cholesky, EK-FAC's eigenvalues = Σ_i (U_Bᵀ G_i U_A)², and influence = −⟨P⁻¹Q, G_i⟩.
 */
import * as assert from 'node:assert/strict';
import { featureRows, headParameters } from '../../../extension/engine/chat/lmHead/augmentedHead';
import { LmHeadKernels } from '../../../extension/engine/chat/lmHead/headKernels';
import { lmHeadInfluence } from '../../../extension/engine/chat/lmHead';
import { buildLmPreconditioner, type TrainRows } from '../../../extension/engine/chat/lmHead/preconditioner';
import { policyQueries, prepareProbes } from '../../../extension/engine/chat/lmHead/probeQuery';
import { keepWeights } from '../../../extension/engine/chat/lmHead/retrain';
import { choleskyFactor, choleskySolve } from '../../../extension/engine/linalg/cholesky';
import { plainMatmul } from '../../../extension/engine/linalg/matmul';
import { SeededRandom } from '../../../extension/engine/linalg/rng';
import { randomHead, randomProbes, randomStates } from './synthetic';

describe('chat-lmhead: preconditioners and scores vs dense references', () => {
  const random = new SeededRandom(31);
  const v = 6;
  const d = 3;
  const head = randomHead(random, v, d, true);
  const states = randomStates(random, 9, d, v);
  const probes = randomProbes(random, 3, d, v);
  const parameters = headParameters(head);
  const cols = parameters.cols;
  const p = v * cols;
  const kernels = new LmHeadKernels(v, cols);
  const train: TrainRows = { features: featureRows(states, parameters), targets: states.targets, sequenceOfRow: states.sequenceOfRow, sequences: states.sequences };
  after(() => kernels.release());

  async function lineGradients(): Promise<Float64Array[]> {
    const out: Float64Array[] = [];
    for (let i = 0; i < states.sequences; i++) {
      const others = Array.from({ length: states.sequences }, (_, s) => s).filter((s) => s !== i);
      out.push((await kernels.lossGrad(parameters.theta, train, keepWeights(states.sequenceOfRow, states.sequences, others).rowWeight)).grad);
    }
    return out;
  }

  function denseKfac(): Float64Array {
    // A = mean h̃h̃ᵀ, B = mean diag(p) − ppᵀ from the definition, row by row in Float64.
    const n = states.targets.length;
    const a = new Float64Array(cols * cols);
    const b = new Float64Array(v * v);
    for (let r = 0; r < n; r++) {
      const h = Array.from(train.features.subarray(r * cols, (r + 1) * cols));
      const z = Array.from({ length: v }, (_, k) => h.reduce((s, x, j) => s + x * parameters.theta[k * cols + j], 0));
      const max = Math.max(...z);
      const e = z.map((x) => Math.exp(x - max));
      const total = e.reduce((s, x) => s + x, 0);
      const prob = e.map((x) => x / total);
      for (let j = 0; j < cols; j++) for (let k = 0; k < cols; k++) a[j * cols + k] += (h[j] * h[k]) / n;
      for (let j = 0; j < v; j++) for (let k = 0; k < v; k++) b[j * v + k] += ((j === k ? prob[j] : 0) - prob[j] * prob[k]) / n;
    }
    const c = new Float64Array(p * p);
    for (let i = 0; i < v; i++) for (let j = 0; j < cols; j++) for (let k = 0; k < v; k++) for (let l = 0; l < cols; l++) {
      c[(i * cols + j) * p + k * cols + l] = n * b[i * v + k] * a[j * cols + l];
    }
    return c;
  }

  it('K-FAC applies (n·B⊗A + λI)⁻¹ exactly', async () => {
    const pre = await buildLmPreconditioner(kernels, parameters.theta, train, { kind: 'kfac', dampingRatio: 0.05 });
    const dense = denseKfac();
    let trace = 0;
    for (let j = 0; j < p; j++) trace += dense[j * p + j];
    assert.ok(Math.abs(pre.meanEigenvalue - trace / p) < 1e-5 * (trace / p), `mean eigenvalue ${pre.meanEigenvalue} vs ${trace / p}`);
    for (let j = 0; j < p; j++) dense[j * p + j] += pre.damping;
    const q = Float64Array.from({ length: p }, () => random.normal());
    const want = choleskySolve(choleskyFactor(dense, p), q);
    const got = pre.apply(q);
    const scale = Math.max(...Array.from(want, Math.abs));
    want.forEach((x, j) => assert.ok(Math.abs(got[j] - x) < 1e-4 * scale, `[${j}] ${got[j]} vs ${x}`));
  });

  it('EK-FAC eigenvalues are Σ_i (U_Bᵀ G_i U_A)² in the K-FAC eigenbases, and sum to Σ_i ‖G_i‖²', async () => {
    const pre = await buildLmPreconditioner(kernels, parameters.theta, train, { kind: 'ekfac', dampingRatio: 0.1 });
    assert.ok(pre.eigen);
    const want = new Float64Array(p);
    let normSum = 0;
    for (const g of await lineGradients()) {
      const rotated = plainMatmul.matmul(plainMatmul.matmul(pre.eigen.b.vectors, g, v, v, cols, { transposeA: true }), pre.eigen.a.vectors, v, cols, cols);
      rotated.forEach((x, j) => (want[j] += x * x));
      normSum += g.reduce((s, x) => s + x * x, 0);
    }
    const scale = Math.max(...Array.from(want));
    want.forEach((x, j) => assert.ok(Math.abs(pre.eigen!.eigenvalues[j] - x) < 1e-4 * scale, `Λ[${j}] ${pre.eigen!.eigenvalues[j]} vs ${x}`));
    assert.ok(Math.abs(pre.meanEigenvalue * p - normSum) < 1e-4 * normSum);
  });

  for (const kind of ['identity', 'kfac', 'ekfac'] as const) {
    it(`${kind}: influence_i = −⟨P⁻¹Q, G_i⟩ summed over the line's tokens`, async () => {
      const result = await lmHeadInfluence({ head, train: states, probes, preconditioner: kind, kernels });
      const pre = await buildLmPreconditioner(kernels, parameters.theta, train, { kind });
      const queries = await policyQueries(kernels, parameters.theta, prepareProbes(probes, parameters));
      const direction = pre.apply(queries.strength);
      const agreeDirection = pre.apply(queries.smoothAgree);
      const gradients = await lineGradients();
      const want = gradients.map((g) => -g.reduce((s, x, j) => s + x * direction[j], 0));
      const wantAgree = gradients.map((g) => g.reduce((s, x, j) => s + x * agreeDirection[j], 0));
      const scale = Math.max(...want.map(Math.abs));
      want.forEach((x, i) => {
        assert.ok(Math.abs(result.influence[i] - x) < 1e-4 * scale, `I_${i}: ${result.influence[i]} vs ${x}`);
        assert.equal(result.predictedMarginChange[i], -result.influence[i]);
      });
      const agreeScale = Math.max(...wantAgree.map(Math.abs));
      wantAgree.forEach((x, i) => assert.ok(Math.abs(result.predictedAgreeChange[i] - x) < 1e-4 * agreeScale));
      assert.equal(result.method, kind);
      assert.ok(result.damping > 0);
    });
  }
});
