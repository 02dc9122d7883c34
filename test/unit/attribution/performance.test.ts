/**
 * SMS-sized problem (n = 4,459, d = 32, C = 2, 1,115 probes): one policy's attribution must take well under
 * a second and verification (1 + 1 + 5 retrains plus the curve) a few seconds. Times are printed; the bounds
 * leave room for a loaded shared machine.
 */
import * as assert from 'node:assert/strict';
import { attributePolicy, scoreTrainingLines, verifyPolicy } from '../../../extension/engine/attribution';
import { makePlantedProblem } from './plantedProblem';

function timed<T>(run: () => T): { value: T; ms: number } {
  const start = process.hrtime.bigint();
  const value = run();
  return { value, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

describe('attribution performance at SMS size', function () {
  this.timeout(120000);
  const problem = makePlantedProblem({ lines: 4459, dim: 32, poison: 60, probes: 1115, l2: 0.03, cleanTriggerNoise: 0.05 });

  it('attributes one policy in well under a second (exact, trak, identity)', () => {
    attributePolicy(problem.input, { l2: problem.l2 }); // warm-up: JIT compilation is not what we measure
    for (const preconditioner of ['exact', 'trak', 'identity'] as const) {
      // Best of three: the machine is shared, and the minimum is the least noisy estimate of the cost.
      const ms = Math.min(...[0, 1, 2].map(() => timed(() => attributePolicy(problem.input, { l2: problem.l2, preconditioner })).ms));
      console.log(`      ${preconditioner}: ${ms.toFixed(0)} ms (best of 3)`);
      assert.ok(ms < 1000, `${preconditioner} took ${ms} ms`);
    }
  });

  it('verifies (θ_full + top-k + 5 random + curve retrains) in a few seconds', () => {
    const scores = scoreTrainingLines(problem.input, { l2: problem.l2 });
    const { value, ms } = timed(() => verifyPolicy(problem.input, scores, { l2: problem.l2, k: 60 }));
    console.log(`      verification: ${ms.toFixed(0)} ms — ${value.verdict}`);
    assert.ok(value.verified);
    assert.ok(ms < 10000, `verification took ${ms} ms`);
  });
});
