import * as assert from 'node:assert/strict';
import { choleskyFactor, choleskySolve, inverseQuadraticForm } from '../../../extension/engine/linalg/cholesky';
import { plainMatmul } from '../../../extension/engine/linalg/matmul';
import { SeededRandom } from '../../../extension/engine/linalg/rng';
import { PolicyTraceError } from '../../../extension/engine/errors';

/** Symmetric with entries in [−1, 1) and diagonal n: strictly diagonally dominant, hence SPD. O(n²) to make. */
function randomSpd(n: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const spd = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) spd[i * n + j] = spd[j * n + i] = 2 * random.next() - 1;
    spd[i * n + i] = n;
  }
  return spd;
}

describe('linalg/cholesky', () => {
  it('solves a known system exactly', () => {
    // A = [[4, 2, 2], [2, 5, 3], [2, 3, 6]], x = [1, −2, 3] ⇒ b = A x = [6, 1, 14].
    const a = Float64Array.from([4, 2, 2, 2, 5, 3, 2, 3, 6]);
    const factor = choleskyFactor(a, 3);
    assert.deepEqual(Array.from(factor.lower.slice(0, 1)), [2]);
    const x = choleskySolve(factor, [6, 1, 14]);
    [1, -2, 3].forEach((expected, i) => assert.ok(Math.abs(x[i] - expected) < 1e-12, `x[${i}] = ${x[i]}`));
    // bᵀ A⁻¹ b = bᵀ x.
    assert.ok(Math.abs(inverseQuadraticForm(factor, [6, 1, 14]) - (6 * 1 + 1 * -2 + 14 * 3)) < 1e-10);
  });

  it('solves a random 200 × 200 SPD system to 1e-9 residual', () => {
    const n = 200;
    const a = randomSpd(n, 3);
    const random = new SeededRandom(4);
    const b = Float64Array.from({ length: n }, () => random.normal());
    const x = choleskySolve(choleskyFactor(a, n), b);
    const ax = plainMatmul.matmul(a, x, n, n, 1);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(ax[i] - b[i]) < 1e-9, `row ${i}: ${ax[i]} vs ${b[i]}`);
  });

  it('refuses a matrix that is not positive definite, with a PolicyTraceError', () => {
    assert.throws(() => choleskyFactor(Float64Array.from([1, 2, 2, 1]), 2, 'test matrix'), (error: unknown) => {
      return error instanceof PolicyTraceError && /test matrix is not positive definite/.test(error.message);
    });
    assert.throws(() => choleskyFactor(new Float64Array(5), 2), PolicyTraceError);
  });

  it('factors 1024 × 1024 in well under a second (timing printed)', function () {
    this.timeout(30000);
    const n = 1024;
    const a = randomSpd(n, 5);
    const start = process.hrtime.bigint();
    choleskyFactor(a, n);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(`      cholesky 1024²: ${ms.toFixed(0)} ms`);
    // Bound generous for a loaded shared 2-core machine; the printed figure is the measurement.
    assert.ok(ms < 3000, `took ${ms} ms`);
  });
});
