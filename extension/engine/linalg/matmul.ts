/**
 * Matrix products behind one small interface, so the large ones (n × p times p × q with n in the hundreds of
 * thousands) can later run as onnxruntime Gemm graphs without touching the callers. The plain-JS backend
 * here is cache-blocked and accumulates in Float64 whatever the input precision.
 */
import { PolicyTraceError } from '../errors';

export type NumericArray = Float64Array | Float32Array;

export interface MatmulOptions {
  /** Use Aᵀ: A is stored k × m (row-major) instead of m × k. */
  transposeA?: boolean;
  /** Use Bᵀ: B is stored n × k (row-major) instead of k × n. */
  transposeB?: boolean;
}

export interface MatmulBackend {
  readonly name: string;
  /** C (m × n, row-major Float64) = op(A) (m × k) · op(B) (k × n). */
  matmul(a: NumericArray, b: NumericArray, m: number, k: number, n: number, options?: MatmulOptions): Float64Array;
  /** Xᵀ diag(w) X (cols × cols, symmetric) for X rows × cols; w defaults to all ones. */
  weightedGram(x: NumericArray, rows: number, cols: number, weights?: Float64Array): Float64Array;
}

const BLOCK = 64;

/** Copies op(X) into a row-major rows × cols Float64Array so the inner loop is always contiguous. */
function materialize(x: NumericArray, rows: number, cols: number, transposed: boolean): Float64Array {
  const out = new Float64Array(rows * cols);
  if (!transposed) {
    out.set(x);
    return out;
  }
  for (let r = 0; r < cols; r++) for (let c = 0; c < rows; c++) out[c * cols + r] = x[r * rows + c];
  return out;
}

export const plainMatmul: MatmulBackend = {
  name: 'plain-js-blocked',
  matmul(a, b, m, k, n, options = {}) {
    if (a.length !== m * k || b.length !== k * n) {
      throw new PolicyTraceError(
        `matmul shape mismatch: A has ${a.length} entries (want ${m}×${k}), B has ${b.length} (want ${k}×${n})`,
        {},
        'linalg',
      );
    }
    const left = options.transposeA ? materialize(a, m, k, true) : a;
    // B is used row-wise (i-k-j loop order), so a transposed B is materialised once.
    const right = options.transposeB ? materialize(b, k, n, true) : b;
    const out = new Float64Array(m * n);
    for (let i0 = 0; i0 < m; i0 += BLOCK) {
      const i1 = Math.min(m, i0 + BLOCK);
      for (let p0 = 0; p0 < k; p0 += BLOCK) {
        const p1 = Math.min(k, p0 + BLOCK);
        for (let j0 = 0; j0 < n; j0 += BLOCK) {
          const j1 = Math.min(n, j0 + BLOCK);
          for (let i = i0; i < i1; i++) {
            const outRow = i * n;
            const leftRow = i * k;
            for (let p = p0; p < p1; p++) {
              const aip = left[leftRow + p];
              if (aip === 0) continue;
              const rightRow = p * n;
              for (let j = j0; j < j1; j++) out[outRow + j] += aip * right[rightRow + j];
            }
          }
        }
      }
    }
    return out;
  },
  weightedGram(x, rows, cols, weights) {
    if (x.length !== rows * cols || (weights && weights.length !== rows)) {
      throw new PolicyTraceError(`weightedGram shape mismatch: ${x.length} entries for ${rows}×${cols}`, {}, 'linalg');
    }
    const out = new Float64Array(cols * cols);
    // Upper triangle only (half the work), one contiguous row of X at a time, then mirrored.
    for (let t = 0; t < rows; t++) {
      const w = weights ? weights[t] : 1;
      if (w === 0) continue;
      const base = t * cols;
      for (let j = 0; j < cols; j++) {
        const v = w * x[base + j];
        if (v === 0) continue;
        const outRow = j * cols;
        for (let k = j; k < cols; k++) out[outRow + k] += v * x[base + k];
      }
    }
    for (let j = 0; j < cols; j++) for (let k = j + 1; k < cols; k++) out[k * cols + j] = out[j * cols + k];
    return out;
  },
};
