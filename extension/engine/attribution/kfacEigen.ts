/**
 * Eigen-decomposition of the small symmetric K-FAC factors (k × k with k = a LoGra side, 8–64) by cyclic
 * Jacobi rotations in Float64: simple, unconditionally convergent for symmetric input and accurate to round-off,
 * and at k ≤ 64 a few sweeps cost well under a millisecond.
 */
import { PolicyTraceError } from '../errors';

export interface FactorEigen {
  n: number;
  values: Float64Array;
  /** n × n row-major; column j is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

const MAX_SWEEPS = 100;

export function factorEigen(matrix: ArrayLike<number>, n: number, what: string): FactorEigen {
  if (matrix.length !== n * n) throw new PolicyTraceError(`${what}: ${matrix.length} entries for ${n} × ${n}`, {}, 'linalg');
  const a = Float64Array.from(matrix);
  // Symmetrise: accumulated round-off must not make the rotations chase an asymmetric matrix.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off <= 1e-30 * scale || off === 0) return { n, values: Float64Array.from({ length: n }, (_, i) => a[i * n + i]), vectors: v };
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // The rotation that zeroes a[p][q] (Golub & Van Loan, symmetric Schur decomposition).
        const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  throw new PolicyTraceError(`${what}: Jacobi eigen-decomposition did not converge in ${MAX_SWEEPS} sweeps`, {}, 'linalg');
}
