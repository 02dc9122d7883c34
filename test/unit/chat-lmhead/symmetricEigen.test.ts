/** The symmetric eigensolver behind K-FAC/EK-FAC: A U = U Λ, Uᵀ U = I, on random and degenerate matrices. */
import * as assert from 'node:assert/strict';
import { symmetricEigen } from '../../../extension/engine/chat/lmHead/symmetricEigen';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

function randomSymmetric(n: number, seed: number): Float64Array {
  const random = new SeededRandom(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = random.normal();
  return a;
}

function checkDecomposition(a: Float64Array, n: number): void {
  const { values, vectors } = symmetricEigen(a, n);
  for (let i = 1; i < n; i++) assert.ok(values[i] >= values[i - 1], 'eigenvalues ascend');
  let worstResidual = 0;
  let worstOrthogonality = 0;
  for (let c = 0; c < n; c++) {
    for (let r = 0; r < n; r++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += a[r * n + k] * vectors[k * n + c];
      worstResidual = Math.max(worstResidual, Math.abs(av - values[c] * vectors[r * n + c]));
    }
    for (let c2 = c; c2 < n; c2++) {
      let dot = 0;
      for (let k = 0; k < n; k++) dot += vectors[k * n + c] * vectors[k * n + c2];
      worstOrthogonality = Math.max(worstOrthogonality, Math.abs(dot - (c === c2 ? 1 : 0)));
    }
  }
  assert.ok(worstResidual < 1e-10, `max |A u − λ u| = ${worstResidual}`);
  assert.ok(worstOrthogonality < 1e-12, `max |UᵀU − I| = ${worstOrthogonality}`);
}

describe('chat-lmhead: symmetricEigen', () => {
  it('decomposes random symmetric matrices', () => {
    for (const n of [1, 2, 7, 40]) checkDecomposition(randomSymmetric(n, n), n);
  });

  it('handles a rank-deficient softmax covariance diag(p) − ppᵀ (one zero eigenvalue)', () => {
    const p = [0.5, 0.25, 0.125, 0.0625, 0.0625];
    const n = p.length;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? p[i] : 0) - p[i] * p[j];
    checkDecomposition(a, n);
    assert.ok(Math.abs(symmetricEigen(a, n).values[0]) < 1e-15);
  });

  it('handles a diagonal matrix and the zero matrix', () => {
    checkDecomposition(Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2]), 3);
    checkDecomposition(new Float64Array(16), 4);
  });
});
