/**
 * Dense symmetric positive-definite solves on flat row-major Float64Arrays. Written out by hand because
 * the head Hessians PolicyTrace solves are small (≤ a few thousand rows) and a flat typed-array loop is
 * several times faster than array-of-arrays libraries at that size (1024² factors in well under a second).
 */
import { PolicyTraceError } from '../errors';

export interface CholeskyFactor {
  /** Order of the matrix. */
  n: number;
  /** Lower-triangular factor L (row-major n × n, upper triangle zero) with A = L Lᵀ. */
  lower: Float64Array;
}

/**
 * Factors a symmetric positive-definite matrix A = L Lᵀ. Only the lower triangle of `matrix` is read.
 * Throws a PolicyTraceError (naming `what`) when a pivot is not positive, i.e. A is not positive definite.
 */
export function choleskyFactor(matrix: Float64Array, n: number, what = 'matrix'): CholeskyFactor {
  if (matrix.length !== n * n) {
    throw new PolicyTraceError(`${what}: expected ${n}×${n} = ${n * n} entries, got ${matrix.length}`, {}, 'linalg');
  }
  const lower = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const rowI = i * n;
    for (let j = 0; j <= i; j++) {
      const rowJ = j * n;
      let sum = matrix[rowI + j];
      // Dot of the already-computed parts of rows i and j: contiguous in row-major storage.
      for (let k = 0; k < j; k++) sum -= lower[rowI + k] * lower[rowJ + k];
      if (i === j) {
        if (!(sum > 0)) {
          throw new PolicyTraceError(
            `${what} is not positive definite (pivot ${i} = ${sum.toExponential(3)}); increase the damping`,
            {},
            'linalg',
          );
        }
        lower[rowI + i] = Math.sqrt(sum);
      } else {
        lower[rowI + j] = sum / lower[rowJ + j];
      }
    }
  }
  return { n, lower };
}

/** Solves L y = b (forward substitution). */
export function forwardSubstitute(factor: CholeskyFactor, rhs: ArrayLike<number>): Float64Array {
  const { n, lower } = factor;
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = rhs[i];
    const row = i * n;
    for (let k = 0; k < i; k++) sum -= lower[row + k] * y[k];
    y[i] = sum / lower[row + i];
  }
  return y;
}

/** Solves A x = b given A's Cholesky factor. */
export function choleskySolve(factor: CholeskyFactor, rhs: ArrayLike<number>): Float64Array {
  const { n, lower } = factor;
  if (rhs.length !== n) {
    throw new PolicyTraceError(`right-hand side has ${rhs.length} entries, matrix has order ${n}`, {}, 'linalg');
  }
  const x = forwardSubstitute(factor, rhs);
  // Back substitution with Lᵀ: column k of L is strided, so walk it from the bottom up.
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i];
    for (let k = i + 1; k < n; k++) sum -= lower[k * n + i] * x[k];
    x[i] = sum / lower[i * n + i];
  }
  return x;
}

/** xᵀ A⁻¹ x = ‖L⁻¹ x‖², cheaper than a full solve. */
export function inverseQuadraticForm(factor: CholeskyFactor, x: ArrayLike<number>): number {
  const y = forwardSubstitute(factor, x);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] * y[i];
  return sum;
}

/** Adds `value` to the diagonal of a flat n × n matrix, in place. */
export function addToDiagonal(matrix: Float64Array, n: number, value: number): Float64Array {
  for (let i = 0; i < n; i++) matrix[i * n + i] += value;
  return matrix;
}

/** trace / n: the mean eigenvalue, used to set damping relative to the spectrum's scale. */
export function meanDiagonal(matrix: Float64Array, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += matrix[i * n + i];
  return sum / n;
}
