/**
 * Curvature of the total SFT loss Σ_i L_i(W̃) for the LM head, as P = C + λI on V × cols matrices:
 * - kfac:  C = n · (B ⊗ A), A = mean_t h̃h̃ᵀ (cols × cols), B = mean_t diag(p_t) − p_t p_tᵀ (V × V), n = trained
 *   tokens. Applied exactly through both eigenbases: P⁻¹Q = U_B [(U_Bᵀ Q U_A) ⊘ (n β aᵀ + λ)] U_Aᵀ.
 * - ekfac: the same eigenbases with the eigenvalues replaced by Σ_i (U_Bᵀ G_i U_A)² over training sequences
 *   (George et al. 2018; Grosse et al. 2023), which fixes K-FAC's scale per direction.
 * - identity: C = m·I with m the K-FAC mean eigenvalue, so scores keep the curvature's units (nats).
 * λ = l2 · n + dampingRatio × mean eigenvalue of C (its trace / (V · cols)) unless given, and is reported: l2 · n is
 * the exact curvature of the L2 term when the head is the optimum of the token-mean objective with that l2
 * (retrain.ts; Σ_i L_i + (l2/2)‖W̃‖² · n in total-loss units), the ratio part covers the K-FAC approximation.
 * The scale matches the total loss: removing line i moves W̃ by ≈ P⁻¹G_i, so −⟨Q, P⁻¹G_i⟩ is in nats.
 */
import { PolicyTraceError } from '../../errors';
import { plainMatmul } from '../../linalg/matmul';
import type { LmHeadKernels, RowSet } from './headKernels';
import { symmetricEigen, type SymmetricEigen } from './symmetricEigen';
import type { LmPreconditionerKind } from './types';

export interface LmPreconditioner {
  kind: LmPreconditionerKind;
  damping: number;
  dampingRatio: number;
  /** Mean eigenvalue (trace / dimension) of the undamped curvature. */
  meanEigenvalue: number;
  /** P⁻¹ q for q a V × cols matrix (row-major). */
  apply(q: Float64Array): Float64Array;
  /** K-FAC/EK-FAC only: the eigenbases and the (undamped) eigenvalue of each direction u_B,v ⊗ u_A,j (V × cols). */
  eigen?: { a: SymmetricEigen; b: SymmetricEigen; eigenvalues: Float64Array };
}

/**
 * From the sycophancy benchmark (test/unit/chat-lmhead/benchmark.ts, ratios 0–1): at the retrained baseline
 * l2 · n dominates λ and every ratio gives the same ranking (K-FAC AUC 1.0000 for 0…1); on the shipped head
 * (l2 = 0) a ratio is the only damping and 0.1 keeps the solve well posed. K-FAC is the default kind: the best
 * poison AUC and precision@k there (identity and EK-FAC: AUC 0.9999, p@60 0.983).
 */
export const DEFAULT_DAMPING_RATIO: Record<LmPreconditionerKind, number> = { identity: 0.1, kfac: 0.1, ekfac: 0.1 };
export const DEFAULT_PRECONDITIONER: LmPreconditionerKind = 'kfac';

export interface PreconditionerRequest {
  kind: LmPreconditionerKind;
  /** L2 of the token-mean objective the head is an optimum of (0 for a head trained without one). */
  l2?: number;
  dampingRatio?: number;
  damping?: number;
}

export interface TrainRows extends RowSet {
  sequenceOfRow: Int32Array;
  sequences: number;
}

export async function buildLmPreconditioner(
  kernels: LmHeadKernels,
  theta: Float32Array,
  train: TrainRows,
  request: PreconditionerRequest,
): Promise<LmPreconditioner> {
  const { vocabSize: v, cols } = kernels;
  const n = train.targets.length;
  if (n === 0) throw new PolicyTraceError('no trained tokens: every target mask is empty', { field: 'train' }, 'lm-head');
  const sums = await kernels.curvature(theta, train);
  const a = sums.hth.map((x) => x / n);
  const b = new Float64Array(v * v);
  for (let i = 0; i < v; i++) {
    for (let j = 0; j < v; j++) b[i * v + j] = ((i === j ? sums.pSum[i] : 0) - sums.ptp[i * v + j]) / n;
  }
  let traceA = 0;
  let traceB = 0;
  for (let j = 0; j < cols; j++) traceA += a[j * cols + j];
  for (let i = 0; i < v; i++) traceB += b[i * v + i];
  const kfacMean = (n * traceA * traceB) / (v * cols);
  const ratio = request.dampingRatio ?? DEFAULT_DAMPING_RATIO[request.kind];
  const regulariser = (request.l2 ?? 0) * n;

  if (request.kind === 'identity') {
    const damping = request.damping ?? regulariser + ratio * kfacMean;
    const scale = 1 / (kfacMean + damping);
    return { kind: 'identity', damping, dampingRatio: ratio, meanEigenvalue: kfacMean, apply: (q) => q.map((x) => x * scale) };
  }
  const eigenA = symmetricEigen(a, cols, 'K-FAC input factor A');
  const eigenB = symmetricEigen(b, v, 'K-FAC output factor B');
  let eigenvalues: Float64Array;
  if (request.kind === 'kfac') {
    eigenvalues = new Float64Array(v * cols);
    for (let i = 0; i < v; i++) {
      for (let j = 0; j < cols; j++) eigenvalues[i * cols + j] = n * Math.max(0, eigenB.values[i]) * Math.max(0, eigenA.values[j]);
    }
  } else if (request.kind === 'ekfac') {
    eigenvalues = await kernels.ekfacSquares(
      theta,
      train,
      train.sequenceOfRow,
      train.sequences,
      Float32Array.from(eigenA.vectors),
      Float32Array.from(eigenB.vectors),
    );
  } else {
    throw new PolicyTraceError(`unknown preconditioner '${String(request.kind)}' (identity, kfac, ekfac)`, { field: 'preconditioner' }, 'lm-head');
  }
  const meanEigenvalue = eigenvalues.reduce((s, x) => s + x, 0) / eigenvalues.length;
  const damping = request.damping ?? regulariser + ratio * meanEigenvalue;
  if (!(damping > 0)) {
    throw new PolicyTraceError(`damping must be > 0 (got ${damping}); the curvature is zero`, { field: 'damping' }, 'lm-head');
  }
  return {
    kind: request.kind,
    damping,
    dampingRatio: ratio,
    meanEigenvalue,
    eigen: { a: eigenA, b: eigenB, eigenvalues },
    apply: (q) => eigenSolve(q, eigenA, eigenB, eigenvalues, damping, v, cols),
  };
}

function eigenSolve(q: Float64Array, eigenA: SymmetricEigen, eigenB: SymmetricEigen, eigenvalues: Float64Array, damping: number, v: number, cols: number): Float64Array {
  // Rotate into the eigenbasis (U_Bᵀ Q U_A), divide per direction, rotate back.
  const left = plainMatmul.matmul(eigenB.vectors, q, v, v, cols, { transposeA: true });
  const rotated = plainMatmul.matmul(left, eigenA.vectors, v, cols, cols);
  for (let j = 0; j < rotated.length; j++) rotated[j] /= eigenvalues[j] + damping;
  const back = plainMatmul.matmul(eigenB.vectors, rotated, v, v, cols);
  return plainMatmul.matmul(back, eigenA.vectors, v, cols, cols, { transposeB: true });
}
