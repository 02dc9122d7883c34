/**
 * TRAK over the concatenated per-layer projections (Park et al. 2023 with LoGra's per-layer projections):
 * Φ = the training lines' projected gradients of all layers side by side (n × D), P = ΦᵀΦ/n + λI, solved by
 * Cholesky in Float64. Unlike a block-diagonal preconditioner it sees how layers' gradients co-vary, so a
 * direction shared by the embeddings and the head is counted once, not once per layer.
 * λ = dampingRatio × (mean eigenvalue = trace(ΦᵀΦ/n)/D), the same rule as the head's TRAK.
 */
import { addToDiagonal, choleskyFactor, choleskySolve, inverseQuadraticForm, meanDiagonal } from '../linalg/cholesky';
import { PolicyTraceError } from '../errors';
import type { GradientMatrix } from './fullModelMatrix';
import { gramOverRows } from './fullModelGram';

export interface FlatPreconditioner {
  kind: 'trak' | 'kfac' | 'ekfac';
  /** λ added to the curvature's eigenvalues / diagonal. */
  damping: number;
  /** Mean eigenvalue of the undamped curvature, the scale λ is set against. */
  meanEigenvalue: number;
  /** One sentence for the method string. */
  description: string;
  /** M v ≈ (curvature + λI)⁻¹ v in the layout of the gradient matrix. */
  apply(v: Float64Array): Float64Array;
  /** vᵀ M v, where cheaper than a full apply (TRAK: one triangular solve instead of two). */
  quadraticForm?(v: Float64Array): number;
}

/** A Cholesky of order D costs D³/3 multiply-adds: 4096 is ~20 s of plain JS, past that project harder. */
/**
 * 'empirical': Φ rows are the gold-label loss gradients (TRAK's and the classic empirical Fisher).
 * 'true': rows √p(c|x)·∇CE(x, c) over every class c (the Gauss-Newton matrix of softmax cross-entropy).
 */
export type FisherKind = 'empirical' | 'true';

export const MAX_TRAK_DIM = 4096;
/** ΦᵀΦ/n over the rows (unlabelled lines are zero rows and add nothing). */
export async function secondMoment(matrix: GradientMatrix): Promise<Float64Array> {
  if (matrix.exampleCount === 0) throw new PolicyTraceError('no labelled training lines: nothing to build a preconditioner from', { field: 'trainLabels' }, 'degenerate-gradients');
  return gramOverRows(matrix.data, matrix.rows, matrix.dim, matrix.exampleCount);
}

export async function fitTrakPreconditioner(matrix: GradientMatrix, dampingRatio = 0.1, fisher: FisherKind = 'empirical'): Promise<FlatPreconditioner> {
  const { dim } = matrix;
  if (dim > MAX_TRAK_DIM) {
    throw new PolicyTraceError(
      `TRAK over ${dim} gradient coordinates needs a ${dim}×${dim} Cholesky: use a LoGra projection with at most ${MAX_TRAK_DIM} coordinates in all`,
      { field: 'projection' },
      'bad-option',
    );
  }
  const moment = await secondMoment(matrix);
  const meanEigenvalue = meanDiagonal(moment, dim);
  if (!(meanEigenvalue > 0)) throw new PolicyTraceError('every training gradient is zero: nothing to precondition', { field: 'preconditioner' }, 'degenerate-gradients');
  const damping = dampingRatio * meanEigenvalue;
  const factor = choleskyFactor(addToDiagonal(moment, dim, damping), dim, 'damped projected Fisher ΦᵀΦ/n + λI (TRAK)');
  return {
    kind: 'trak',
    damping,
    meanEigenvalue,
    description: `TRAK (${fisher === 'true' ? 'true Fisher: Φ rows √p(c|x)·∇CE(x, c) over all classes' : 'empirical Fisher: Φ rows = gold-label loss gradients'}): (ΦᵀΦ/n + λI)⁻¹ over the ${dim} concatenated projected gradient coordinates of all layers, Cholesky in Float64, λ = ${dampingRatio} × mean eigenvalue ${meanEigenvalue.toExponential(3)} = ${damping.toExponential(3)}`,
    apply: (v) => choleskySolve(factor, v),
    quadraticForm: (v) => inverseQuadraticForm(factor, v),
  };
}
