/**
 * Preconditioners M ≈ (H + λI)⁻¹ for the head. Each one is exposed as `apply(v) = M v` in parameter space,
 * so scoring is the same for all three: influence_i = −(M ∇f)ᵀ g_i.
 * - exact: the damped exact Hessian of the L2 head objective (= Gauss-Newton for the head), Cholesky in Float64.
 * - trak: gradients randomly projected to k dims, Φ = G P; M = P (ΦᵀΦ/n + λI)⁻¹ Pᵀ (empirical Fisher in the
 *   projected space, as TRAK does).
 * - identity: M = I / (trace(H)/p + λ): grad-dot ranking, scaled so magnitudes are roughly in the exact's units.
 * λ = dampingRatio × (mean eigenvalue = trace / dimension) unless given, and is reported.
 */
import { choleskyFactor, choleskySolve, addToDiagonal, inverseQuadraticForm, meanDiagonal } from '../linalg/cholesky';
import { plainMatmul, type MatmulBackend } from '../linalg/matmul';
import { SeededRandom } from '../linalg/rng';
import { headHessian, headHessianTrace, lineWeight, totalWeight, type LabelledFeatures } from './headObjective';
import type { LinearHead } from './linearHead';
import type { PreconditionerKind } from './types';

export interface Preconditioner {
  kind: PreconditionerKind;
  /** λ added to the curvature's diagonal. */
  damping: number;
  /** Mean eigenvalue (trace / dimension) of the undamped curvature, the scale λ is set against. */
  meanEigenvalue: number;
  projection?: number;
  apply(v: Float64Array): Float64Array;
  /** vᵀ M v, where cheaper than a full apply (exact: one triangular solve instead of two). */
  quadraticForm?(v: Float64Array): number;
}

export interface PreconditionerSettings {
  kind: PreconditionerKind;
  l2: number;
  dampingRatio?: number;
  damping?: number;
  projectionDim?: number;
  seed: number;
}

const DEFAULT_RATIO: Record<PreconditionerKind, number> = { exact: 0.001, trak: 0.1, identity: 0.1 };

function chooseDamping(settings: PreconditionerSettings, meanEigenvalue: number): number {
  if (settings.damping !== undefined) return settings.damping;
  return (settings.dampingRatio ?? DEFAULT_RATIO[settings.kind]) * meanEigenvalue;
}

export function buildPreconditioner(
  head: LinearHead,
  set: LabelledFeatures,
  coefficients: Float64Array,
  settings: PreconditionerSettings,
  matmul: MatmulBackend = plainMatmul,
): Preconditioner {
  const p = head.parameterCount;
  if (settings.kind === 'identity') {
    const meanEigenvalue = headHessianTrace(head, head.theta, set, settings.l2) / p;
    const damping = chooseDamping(settings, meanEigenvalue);
    const scale = 1 / (meanEigenvalue + damping);
    return { kind: 'identity', damping, meanEigenvalue, apply: (v) => v.map((x) => x * scale) };
  }
  if (settings.kind === 'exact') {
    const hessian = headHessian(head, head.theta, set, settings.l2, matmul);
    const meanEigenvalue = meanDiagonal(hessian, p);
    const damping = chooseDamping(settings, meanEigenvalue);
    const factor = choleskyFactor(addToDiagonal(hessian, p, damping), p, 'damped head Hessian');
    return { kind: 'exact', damping, meanEigenvalue, apply: (v) => choleskySolve(factor, v), quadraticForm: (v) => inverseQuadraticForm(factor, v) };
  }
  return buildTrak(head, set, coefficients, settings, matmul);
}

function buildTrak(
  head: LinearHead,
  set: LabelledFeatures,
  coefficients: Float64Array,
  settings: PreconditionerSettings,
  matmul: MatmulBackend,
): Preconditioner {
  const p = head.parameterCount;
  const k = Math.max(1, Math.min(settings.projectionDim ?? 512, p));
  const random = new SeededRandom(settings.seed);
  const projection = new Float64Array(p * k);
  const scale = 1 / Math.sqrt(k);
  for (let j = 0; j < projection.length; j++) projection[j] = random.normal() * scale;

  const n = set.labels.length;
  const { stride, dim, rows } = head;
  const augmented = new Float64Array(n * stride);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) augmented[i * stride + j] = set.features[i * dim + j];
    augmented[i * stride + dim] = 1;
  }
  // φ_i = Pᵀ g_i = Σ_r δ_ir (ã_iᵀ P_r), P_r being the rows of P that belong to logit row r.
  const phi = new Float64Array(n * k);
  for (let r = 0; r < rows; r++) {
    const block = projection.subarray(r * stride * k, (r + 1) * stride * k);
    const projected = matmul.matmul(augmented, block, n, stride, k);
    for (let i = 0; i < n; i++) {
      const coef = coefficients[i * rows + r] * Math.sqrt(lineWeight(set, i));
      if (coef === 0) continue;
      for (let c = 0; c < k; c++) phi[i * k + c] += coef * projected[i * k + c];
    }
  }
  const fisher = matmul.weightedGram(phi, n, k);
  const total = totalWeight(set);
  for (let j = 0; j < fisher.length; j++) fisher[j] /= total;
  const meanEigenvalue = meanDiagonal(fisher, k);
  const damping = chooseDamping(settings, meanEigenvalue);
  const factor = choleskyFactor(addToDiagonal(fisher, k, damping), k, 'damped projected Fisher (TRAK)');
  const apply = (v: Float64Array): Float64Array => {
    const reduced = matmul.matmul(projection, v, k, p, 1, { transposeA: true });
    const solved = choleskySolve(factor, reduced);
    return matmul.matmul(projection, solved, p, k, 1);
  };
  return { kind: 'trak', damping, meanEigenvalue, projection: k, apply };
}
