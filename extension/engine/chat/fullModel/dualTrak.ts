/**
 * TRAK's preconditioner M = (ΦᵀΦ/n + λI)⁻¹ in its dual (Woodbury) form, for when the lines are fewer than the
 * projected gradient coordinates: a tiny GPT's LoGra gradients (kIn = kOut = 16) already have ~5,400
 * coordinates against 2,000 lines, and a D×D Cholesky in plain JS costs D³/3 (~50 s), an n×n one n³/3.
 *
 *   M v        = (v − Φᵀ K⁻¹ Φ v) / λ,       K = ΦΦᵀ + nλI   (n × n, the Gram of the lines' gradients)
 *   g_iᵀ M g_i = (G_ii − (G K⁻¹ G)_ii) / λ = n (1 − nλ (K⁻¹)_ii)     since G K⁻¹ G = G − nλI + (nλ)² K⁻¹
 *
 * λ = dampingRatio × mean eigenvalue of ΦᵀΦ/n (= Σ‖φ_i‖² / (n D)), the rule of attribution/trakProjected.ts,
 * so the dual and the primal form give the same M.
 */
import { gramOverRows } from '../../attribution/fullModelGram';
import { choleskyFactor, type CholeskyFactor } from '../../linalg/cholesky';
import { PolicyTraceError } from '../../errors';

export interface DualTrak {
  damping: number;
  meanEigenvalue: number;
  description: string;
  /** M v for a D-vector v. */
  apply(v: Float64Array): Float64Array;
  /** g_iᵀ M g_i for every row i of Φ. */
  selfInfluence(): Float64Array;
}

/** (K⁻¹)_ii = ‖L⁻¹ e_i‖²; the forward substitution of e_i starts at row i, so all n cost n³/6. */
function inverseDiagonal(factor: CholeskyFactor): Float64Array {
  const { n, lower } = factor;
  const diagonal = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let squares = 0;
    for (let r = i; r < n; r++) {
      let sum = r === i ? 1 : 0;
      const row = r * n;
      for (let k = i; k < r; k++) sum -= lower[row + k] * y[k];
      y[r] = sum / lower[row + r];
      squares += y[r] * y[r];
    }
    diagonal[i] = squares;
  }
  return diagonal;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j];
  return out;
}

/** Φ is rows × dim, row-major (one projected training gradient per row). */
export async function fitDualTrak(phi: Float32Array, rows: number, dim: number, dampingRatio: number): Promise<DualTrak> {
  if (rows < 1) throw new PolicyTraceError('no training gradients to build a preconditioner from', { field: 'train' }, 'degenerate-gradients');
  const gram = await gramOverRows(transpose(phi, rows, dim), dim, rows, 1); // ΦΦᵀ, rows × rows
  let trace = 0;
  for (let i = 0; i < rows; i++) trace += gram[i * rows + i];
  const meanEigenvalue = trace / (rows * dim);
  if (!(meanEigenvalue > 0)) throw new PolicyTraceError('every training gradient is zero: nothing to precondition', { field: 'preconditioner' }, 'degenerate-gradients');
  const damping = dampingRatio * meanEigenvalue;
  const shift = rows * damping;
  for (let i = 0; i < rows; i++) gram[i * rows + i] += shift;
  const factor = choleskyFactor(gram, rows, 'dual TRAK kernel ΦΦᵀ + nλI');
  const { lower } = factor;
  const solve = (u: Float64Array): Float64Array => {
    for (let i = 0; i < rows; i++) {
      let sum = u[i];
      for (let k = 0; k < i; k++) sum -= lower[i * rows + k] * u[k];
      u[i] = sum / lower[i * rows + i];
    }
    for (let i = rows - 1; i >= 0; i--) {
      let sum = u[i];
      for (let k = i + 1; k < rows; k++) sum -= lower[k * rows + i] * u[k];
      u[i] = sum / lower[i * rows + i];
    }
    return u;
  };
  return {
    damping,
    meanEigenvalue,
    description:
      `TRAK (empirical Fisher: Φ rows = the training lines' sequence-loss gradients): (ΦᵀΦ/n + λI)⁻¹ over the ${dim} concatenated projected ` +
      `gradient coordinates, applied in dual form through the ${rows}×${rows} Gram ΦΦᵀ + nλI (Cholesky in Float64), λ = ${dampingRatio} × mean eigenvalue ` +
      `${meanEigenvalue.toExponential(3)} = ${damping.toExponential(3)}`,
    apply(v) {
      const u = new Float64Array(rows);
      for (let i = 0; i < rows; i++) {
        let dot = 0;
        for (let k = 0, base = i * dim; k < dim; k++) dot += phi[base + k] * v[k];
        u[i] = dot;
      }
      const w = solve(u);
      const out = Float64Array.from(v);
      for (let i = 0; i < rows; i++) for (let k = 0, base = i * dim; k < dim; k++) out[k] -= phi[base + k] * w[i];
      for (let k = 0; k < dim; k++) out[k] /= damping;
      return out;
    },
    selfInfluence() {
      const inverse = inverseDiagonal(factor);
      return Float64Array.from(inverse, (value) => Math.max(0, rows * (1 - shift * value)));
    },
  };
}
