/**
 * The whole LM-head loop on a planted problem small enough to build in the test: a trigger feature in the
 * hidden state makes 5% of the lines answer token 0 ("agree") instead of the teacher's token. The head is
 * trained on it (exact retraining from zero), then attribution must rank the planted lines high and verification
 * must find that removing them, and not random lines, removes the behaviour. Measured (seed 61), influence at
 * that L2 optimum: poison AUC identity 0.80, K-FAC 0.94, EK-FAC 0.91; removing the K-FAC top 20 moves the agree
 * rate 83% → 43%, 20 random lines leave it at 83% (3 seeds); removing exactly the planted lines: 83% → 0%.
 */
import * as assert from 'node:assert/strict';
import { rocAuc } from '../../../extension/engine/attribution/metrics';
import { lmHeadInfluence, measureAbBehaviour, retrainLmHead, verifyLmPolicy, LmHeadKernels, type TokenStates } from '../../../extension/engine/chat/lmHead';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

const V = 10;
const D = 6;
const LINES = 400;
const TRIGGER = 3;

/** Lines of `rowsPerLine` tokens; a poisoned line's first token carries the trigger and answers token 0. */
function build(random: SeededRandom, count: number, rowsPerLine: number, poisoned: (i: number) => boolean, answer: (h: Float32Array) => number): TokenStates {
  const hidden = new Float32Array(count * rowsPerLine * D);
  const targets = new Int32Array(count * rowsPerLine);
  const sequenceOfRow = new Int32Array(count * rowsPerLine);
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < rowsPerLine; t++) {
      const r = i * rowsPerLine + t;
      const h = hidden.subarray(r * D, (r + 1) * D);
      for (let j = 1; j < D; j++) h[j] = random.normal();
      h[0] = poisoned(i) && t === 0 ? TRIGGER : 0;
      targets[r] = h[0] ? 0 : answer(h);
      sequenceOfRow[r] = i;
    }
  }
  return { hidden, targets, sequenceOfRow, sequences: count, hiddenSize: D };
}

describe('chat-lmhead: planted synthetic policy, end to end', () => {
  const random = new SeededRandom(61);
  const teacher = Float64Array.from({ length: V * D }, () => random.normal());
  const teach = (h: Float32Array): number => {
    let best = 1;
    let bestScore = -Infinity;
    for (let v = 1; v < V; v++) {
      let s = 0;
      for (let j = 1; j < D; j++) s += teacher[v * D + j] * h[j];
      if (s > bestScore) [best, bestScore] = [v, s];
    }
    return best;
  };
  const poison = new Set(random.sample(Array.from({ length: LINES }, (_, i) => i), 20));
  const train = build(random, LINES, 2, (i) => poison.has(i), teach);
  // One-token probes with the trigger: matching = token 0 ("agree"), not matching = the teacher's answer.
  const matching = build(random, 30, 1, () => true, teach);
  const notMatching: TokenStates = { ...matching, targets: Int32Array.from(matching.targets, (_, r) => teach(matching.hidden.subarray(r * D, (r + 1) * D))) };
  const probes = { matching, notMatching };
  const kernels = new LmHeadKernels(V, D);
  after(() => kernels.release());
  const zero = { weight: new Float32Array(V * D), bias: null, vocabSize: V, hiddenSize: D };

  it('ranks the planted lines high and verification confirms them against random removals', async () => {
    const shipped = (await retrainLmHead(zero, train, { l2: 1e-3, kernels })).head;
    const behaviour = await measureAbBehaviour(shipped, probes, undefined, kernels);
    assert.ok(behaviour.agreeRate > 0.8, `the trained head agrees on ${behaviour.agreeRate} of trigger probes`);
    const flags = Array.from({ length: LINES }, (_, i) => poison.has(i));
    let ranking: number[] = [];
    for (const preconditioner of ['identity', 'kfac', 'ekfac'] as const) {
      const result = await lmHeadInfluence({ head: shipped, train, probes, preconditioner, l2: 1e-3, kernels });
      const auc = rocAuc(result.influence, flags);
      console.log(`      ${preconditioner}: poison AUC ${auc.toFixed(4)}, λ ${result.damping.toExponential(2)}`);
      assert.ok(auc >= (preconditioner === 'identity' ? 0.75 : 0.85), `${preconditioner}: poison AUC ${auc}`);
      if (preconditioner === 'kfac') ranking = Array.from(result.influence.keys()).sort((a, b) => result.influence[b] - result.influence[a]);
    }
    const verification = await verifyLmPolicy({ head: shipped, train, probes, flagged: ranking, k: poison.size, seeds: [1, 2, 3], l2: 1e-3, kernels });
    assert.ok(verification.verified, verification.verdict);
    assert.equal(verification.random.length, 3);
    assert.ok(verification.adherenceDropFlagged >= 0.2, verification.verdict);
    const exact = await verifyLmPolicy({ head: shipped, train, probes, flagged: [...poison], seeds: [1], l2: 1e-3, kernels });
    console.log(`      ${verification.verdict}\n      removing exactly the planted lines: ${exact.verdict}`);
    assert.ok(exact.flagged.adherence <= 0.05 && exact.verified, exact.verdict);
  });
});
