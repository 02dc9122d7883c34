/**
 * Exact head retraining: L-BFGS reaches the optimum of the L2 token-mean SFT loss (checked by the gradient of a
 * Float64 reference at the returned head), and removing lines by weight equals retraining without their rows.
 */
import * as assert from 'node:assert/strict';
import { retrainLmHead, type TokenStates } from '../../../extension/engine/chat/lmHead';
import { SeededRandom } from '../../../extension/engine/linalg/rng';
import { randomHead, randomStates, referenceLogProbs } from './synthetic';

function withoutSequences(states: TokenStates, removed: Set<number>): TokenStates {
  const keep = Array.from(states.sequenceOfRow, (_, r) => r).filter((r) => !removed.has(states.sequenceOfRow[r]));
  const kept = Array.from({ length: states.sequences }, (_, s) => s).filter((s) => !removed.has(s));
  const renumber = new Map(kept.map((s, i) => [s, i]));
  const d = states.hiddenSize;
  const hidden = new Float32Array(keep.length * d);
  keep.forEach((r, i) => hidden.set(states.hidden.subarray(r * d, (r + 1) * d), i * d));
  return {
    hidden,
    targets: Int32Array.from(keep, (r) => states.targets[r]),
    sequenceOfRow: Int32Array.from(keep, (r) => renumber.get(states.sequenceOfRow[r]) as number),
    sequences: kept.length,
    hiddenSize: d,
  };
}

describe('chat-lmhead: retrainLmHead', () => {
  const random = new SeededRandom(41);
  const v = 8;
  const d = 4;
  const head = randomHead(random, v, d, true);
  const states = randomStates(random, 40, d, v);
  const l2 = 0.01;

  it('converges to a stationary point of the L2 token-mean loss', async () => {
    const result = await retrainLmHead(head, states, { l2, tolerance: 1e-6 });
    assert.ok(result.converged, `max |∇J| = ${result.gradientMaxAbs} after ${result.iterations} iterations`);
    // The objective at the start, in Float64, must be higher than at the optimum.
    const objective = (weight: ArrayLike<number>, bias: ArrayLike<number>) => {
      const logp = referenceLogProbs(weight, bias, states, v);
      const norm = [...Array.from(weight), ...Array.from(bias)].reduce((s, x) => s + x * x, 0);
      return -logp.reduce((s, x) => s + x, 0) / logp.length + 0.5 * l2 * norm;
    };
    const before = objective(head.weight, head.bias as Float32Array);
    const after = objective(result.head.weight, result.head.bias as Float32Array);
    assert.ok(after < before, `${after} < ${before}`);
    assert.ok(Math.abs(after - result.objective) < 1e-5, `reported ${result.objective} vs reference ${after}`);
    // Stationarity in Float64: a small step along any coordinate cannot lower J by more than the noise floor.
    for (const j of [0, 5, 17]) {
      const bumped = Float32Array.from(result.head.weight);
      bumped[j] += 1e-3;
      assert.ok(objective(bumped, result.head.bias as Float32Array) >= after - 1e-8);
    }
  });

  it('removing lines by weight equals retraining on the remaining rows', async () => {
    const removed = [1, 7, 30];
    const byWeight = await retrainLmHead(head, states, { l2, removed, tolerance: 1e-7 });
    const byRows = await retrainLmHead(head, withoutSequences(states, new Set(removed)), { l2, tolerance: 1e-7 });
    byWeight.head.weight.forEach((x, j) => assert.ok(Math.abs(x - byRows.head.weight[j]) < 1e-4, `W[${j}] ${x} vs ${byRows.head.weight[j]}`));
    const full = await retrainLmHead(head, states, { l2, tolerance: 1e-7 });
    const moved = full.head.weight.reduce((m, x, j) => Math.max(m, Math.abs(x - byWeight.head.weight[j])), 0);
    assert.ok(moved > 1e-3, `removing 3 of 40 lines must move the head (moved ${moved})`);
  });

  it('rejects a non-positive L2 and out-of-range removals with clear errors', async () => {
    await assert.rejects(retrainLmHead(head, states, { l2: 0 }), /L2 coefficient > 0/);
    await assert.rejects(retrainLmHead(head, states, { l2, removed: [40] }), /removed line index 40/);
  });
});
