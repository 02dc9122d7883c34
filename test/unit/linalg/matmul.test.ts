import * as assert from 'node:assert/strict';
import { plainMatmul } from '../../../extension/engine/linalg/matmul';
import { SeededRandom } from '../../../extension/engine/linalg/rng';
import { PolicyTraceError } from '../../../extension/engine/errors';

function naive(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, tA: boolean, tB: boolean): number[] {
  const out: number[] = new Array(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) out[i * n + j] += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
  return out;
}

describe('linalg/matmul (plain JS, blocked)', () => {
  const random = new SeededRandom(9);
  // Sizes straddle the 64 block so edge blocks are exercised.
  const [m, k, n] = [70, 131, 65];
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    it(`matches the naive product (transposeA=${tA}, transposeB=${tB})`, () => {
      const a = Float32Array.from({ length: m * k }, () => random.normal());
      const b = Float64Array.from({ length: k * n }, () => random.normal());
      const got = plainMatmul.matmul(a, b, m, k, n, { transposeA: tA, transposeB: tB });
      const want = naive(a, b, m, k, n, tA, tB);
      for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-9, `entry ${i}`);
    });
  }

  it('weightedGram equals Xᵀ diag(w) X', () => {
    const [rows, cols] = [97, 13];
    const x = Float64Array.from({ length: rows * cols }, () => random.normal());
    const w = Float64Array.from({ length: rows }, () => random.normal());
    const got = plainMatmul.weightedGram(x, rows, cols, w);
    const scaled = x.map((v, i) => v * w[Math.floor(i / cols)]);
    const want = naive(x, scaled, cols, rows, cols, true, false);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-9, `entry ${i}`);
  });

  it('rejects mismatched shapes', () => {
    assert.throws(() => plainMatmul.matmul(new Float64Array(6), new Float64Array(6), 2, 3, 3), PolicyTraceError);
  });
});
