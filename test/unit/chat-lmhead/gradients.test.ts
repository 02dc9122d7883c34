/**
 * The onnxruntime gradients of the LM head against central finite differences of a Float64 reference:
 * per-line G_i = ∇W L_i, the policy query Q = ∇W mean margin, and ∇W mean σ(margin), with and without a bias.
 */
import * as assert from 'node:assert/strict';
import { headParameters, featureRows } from '../../../extension/engine/chat/lmHead/augmentedHead';
import { LmHeadKernels } from '../../../extension/engine/chat/lmHead/headKernels';
import { policyQueries, prepareProbes } from '../../../extension/engine/chat/lmHead/probeQuery';
import { keepWeights } from '../../../extension/engine/chat/lmHead/retrain';
import { SeededRandom } from '../../../extension/engine/linalg/rng';
import type { LmHead, TokenStates } from '../../../extension/engine/chat/lmHead';
import { randomHead, randomProbes, randomStates, referenceLogProbs, sumRowsOf } from './synthetic';

const STEP = 1e-5;

/** Central differences over W̃ (weights, then the bias column when there is one), laid out like headParameters. */
function finiteDifference(head: LmHead, f: (weight: Float64Array, bias: Float64Array | null) => number): Float64Array {
  const { vocabSize: v, hiddenSize: d } = head;
  const cols = head.bias ? d + 1 : d;
  const out = new Float64Array(v * cols);
  const weight = Float64Array.from(head.weight);
  const bias = head.bias ? Float64Array.from(head.bias) : null;
  for (let r = 0; r < v; r++) {
    for (let c = 0; c < cols; c++) {
      const target = c < d ? weight : (bias as Float64Array);
      const index = c < d ? r * d + c : r;
      const saved = target[index];
      target[index] = saved + STEP;
      const plus = f(weight, bias);
      target[index] = saved - STEP;
      const minus = f(weight, bias);
      target[index] = saved;
      out[r * cols + c] = (plus - minus) / (2 * STEP);
    }
  }
  return out;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  let scale = 0;
  for (let j = 0; j < want.length; j++) scale = Math.max(scale, Math.abs(want[j]));
  for (let j = 0; j < want.length; j++) {
    // float32 products against a Float64 reference: 1e-4 of the largest entry.
    assert.ok(Math.abs(got[j] - want[j]) <= 1e-4 * scale + 1e-6, `${what}[${j}]: onnxruntime ${got[j]} vs finite difference ${want[j]}`);
  }
}

function margins(weight: ArrayLike<number>, bias: ArrayLike<number> | null, probes: { matching: TokenStates; notMatching: TokenStates }, v: number): number[] {
  const a = referenceLogProbs(weight, bias, probes.matching, v);
  const b = referenceLogProbs(weight, bias, probes.notMatching, v);
  return Array.from({ length: probes.matching.sequences }, (_, j) => sumRowsOf(a, probes.matching, j) - sumRowsOf(b, probes.notMatching, j));
}

for (const withBias of [false, true]) {
  describe(`chat-lmhead: gradients vs finite differences (${withBias ? 'with' : 'no'} bias)`, () => {
    const random = new SeededRandom(withBias ? 21 : 20);
    const v = 7;
    const d = 5;
    const head = randomHead(random, v, d, withBias);
    const train = randomStates(random, 6, d, v);
    const probes = randomProbes(random, 4, d, v);
    const parameters = headParameters(head);
    const kernels = new LmHeadKernels(v, parameters.cols);
    after(() => kernels.release());

    it('per-line gradient G_i = Σ_t (p_t − e_y) h̃_tᵀ', async () => {
      const rows = { features: featureRows(train, parameters), targets: train.targets };
      for (const line of [0, 3]) {
        const others = Array.from({ length: train.sequences }, (_, i) => i).filter((i) => i !== line);
        const { rowWeight } = keepWeights(train.sequenceOfRow, train.sequences, others);
        const { grad } = await kernels.lossGrad(parameters.theta, rows, rowWeight);
        const reference = finiteDifference(head, (w, b) => -sumRowsOf(referenceLogProbs(w, b, train, v), train, line));
        assertClose(grad, reference, `G_${line}`);
      }
    });

    it('policy query Q = ∇ mean margin and ∇ mean σ(margin), over covered probes only', async () => {
      const covered = [0, 2, 3];
      const queries = await policyQueries(kernels, parameters.theta, prepareProbes(probes, parameters, covered));
      const meanOver = (values: number[]) => covered.reduce((s, j) => s + values[j], 0) / covered.length;
      const strength = finiteDifference(head, (w, b) => meanOver(margins(w, b, probes, v)));
      const smooth = finiteDifference(head, (w, b) => meanOver(margins(w, b, probes, v).map((m) => 1 / (1 + Math.exp(-m)))));
      assertClose(queries.strength, strength, 'Q');
      assertClose(queries.smoothAgree, smooth, '∇σ');
      const reference = margins(head.weight, head.bias, probes, v);
      covered.forEach((j, c) => assert.ok(Math.abs(queries.behaviour.margins[c] - reference[j]) < 1e-4));
    });
  });
}
