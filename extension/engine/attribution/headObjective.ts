/**
 * The L2-regularised head objective J(θ) = (1/Σw) Σ_i w_i · CE(z_i(θ), y_i) + (l2/2)‖θ‖², its gradient and its
 * exact Hessian. For cross-entropy on logits that are linear in θ the Gauss-Newton matrix *is* the Hessian,
 * so "exact GN" and "exact Hessian" preconditioners coincide for the head: (1/Σw) Σ w_i A_i ⊗ ããᵀ + l2·I with
 * A_i = diag(p_i) − p_i p_iᵀ over the parameterised rows and ã = [a; 1].
 */
import { PolicyTraceError } from '../errors';
import { plainMatmul, type MatmulBackend } from '../linalg/matmul';
import { LinearHead, softmaxInto, classToRowCoefficients, addOuter, type Features } from './linearHead';

export interface LabelledFeatures {
  features: Features;
  labels: Int32Array;
  /** Per-example weight (0 removes a line). Unlabelled lines (label −1) always weigh 0. Default 1. */
  weights?: Float64Array;
}

export interface ObjectiveValue {
  value: number;
  gradient: Float64Array;
}

/** Weight of line i in the objective: 0 for unlabelled lines. */
export function lineWeight(set: LabelledFeatures, i: number): number {
  if (set.labels[i] < 0) return 0;
  return set.weights ? set.weights[i] : 1;
}

export function totalWeight(set: LabelledFeatures): number {
  let total = 0;
  for (let i = 0; i < set.labels.length; i++) total += lineWeight(set, i);
  if (!(total > 0)) throw new PolicyTraceError('no labelled training lines left to fit the head', {}, 'attribution');
  return total;
}

export function checkLabels(head: LinearHead, labels: Int32Array): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= head.classes || labels[i] < -1 || !Number.isInteger(labels[i])) {
      throw new PolicyTraceError(
        `training label ${labels[i]} at row ${i} is not a class id in 0..${head.classes - 1} (or −1 = unlabelled)`,
        { field: `labels[${i}]` },
        'attribution',
      );
    }
  }
}

/**
 * Per-example loss-gradient coefficients δ_i = softmax(z_i) − onehot(y_i), in row space (n × rows), so that
 * ∇θ CE(z_i) = δ_i ⊗ [a_i; 1]. Unlabelled lines get zeros.
 */
export function lossCoefficients(head: LinearHead, set: LabelledFeatures, theta = head.theta): Float64Array {
  const n = set.labels.length;
  const out = new Float64Array(n * head.rows);
  const z = new Float64Array(head.classes);
  const p = new Float64Array(head.classes);
  const rowCoef = new Float64Array(head.rows);
  for (let i = 0; i < n; i++) {
    const y = set.labels[i];
    if (y < 0) continue;
    head.logits(set.features, i, z, theta);
    softmaxInto(z, p);
    p[y] -= 1;
    classToRowCoefficients(head, p, rowCoef);
    out.set(rowCoef, i * head.rows);
  }
  return out;
}

export function headObjective(head: LinearHead, theta: Float64Array, set: LabelledFeatures, l2: number): ObjectiveValue {
  const total = totalWeight(set);
  const gradient = new Float64Array(theta.length);
  const z = new Float64Array(head.classes);
  const p = new Float64Array(head.classes);
  const rowCoef = new Float64Array(head.rows);
  let value = 0;
  for (let i = 0; i < set.labels.length; i++) {
    const w = lineWeight(set, i);
    if (w === 0) continue;
    const y = set.labels[i];
    head.logits(set.features, i, z, theta);
    const logSumExp = softmaxInto(z, p);
    value += (w * (logSumExp - z[y])) / total;
    p[y] -= 1;
    addOuter(head, classToRowCoefficients(head, p, rowCoef), set.features, i, gradient, w / total);
  }
  let norm = 0;
  for (let j = 0; j < theta.length; j++) {
    norm += theta[j] * theta[j];
    gradient[j] += l2 * theta[j];
  }
  return { value: value + 0.5 * l2 * norm, gradient };
}

const CHUNK_ROWS = 4096;

/** Multiply-adds to build the exact Hessian once: n · (d+1)² / 2 per pair of logit rows. */
export function hessianCost(head: LinearHead, lines: number): number {
  return (lines * head.stride * head.stride * head.rows * (head.rows + 1)) / 4;
}

/** Above this many multiply-adds (≈ 1–3 s of plain JS) a dense Hessian is not worth building. */
export const MAX_HESSIAN_COST = 1e9;

/** Exact Hessian of the objective (p × p, row-major, symmetric), built block by block through `matmul`. */
export function headHessian(
  head: LinearHead,
  theta: Float64Array,
  set: LabelledFeatures,
  l2: number,
  matmul: MatmulBackend = plainMatmul,
): Float64Array {
  const { rows, stride, dim, classes } = head;
  const p = theta.length;
  const total = totalWeight(set);
  const hessian = new Float64Array(p * p);
  const n = set.labels.length;
  const z = new Float64Array(classes);
  const prob = new Float64Array(classes);
  for (let start = 0; start < n; start += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, n - start);
    const augmented = new Float64Array(count * stride);
    const rowProbs = new Float64Array(count * rows);
    const weights = new Float64Array(count);
    for (let t = 0; t < count; t++) {
      const i = start + t;
      weights[t] = lineWeight(set, i) / total;
      for (let j = 0; j < dim; j++) augmented[t * stride + j] = set.features[i * dim + j];
      augmented[t * stride + dim] = 1;
      if (weights[t] === 0) continue;
      head.logits(set.features, i, z, theta);
      softmaxInto(z, prob);
      for (let r = 0; r < rows; r++) rowProbs[t * rows + r] = prob[head.classOfRow(r)];
    }
    for (let r = 0; r < rows; r++) {
      for (let s = r; s < rows; s++) {
        // Block (r, s) = Σ_t w_t A_t[r, s] ã_t ã_tᵀ with A[r, s] = p_r [r = s] − p_r p_s.
        const blockWeights = new Float64Array(count);
        for (let t = 0; t < count; t++) {
          const pr = rowProbs[t * rows + r];
          blockWeights[t] = weights[t] * ((r === s ? pr : 0) - pr * rowProbs[t * rows + s]);
        }
        const block = matmul.weightedGram(augmented, count, stride, blockWeights);
        for (let j = 0; j < stride; j++) {
          for (let k = 0; k < stride; k++) {
            const value = block[j * stride + k];
            hessian[(r * stride + j) * p + s * stride + k] += value;
            if (s !== r) hessian[(s * stride + k) * p + r * stride + j] += value;
          }
        }
      }
    }
  }
  for (let j = 0; j < p; j++) hessian[j * p + j] += l2;
  return hessian;
}

/** trace(H) without building H: (1/Σw) Σ w_i Σ_r p_r(1 − p_r) ‖ã_i‖² + p·l2. */
export function headHessianTrace(head: LinearHead, theta: Float64Array, set: LabelledFeatures, l2: number): number {
  const total = totalWeight(set);
  const z = new Float64Array(head.classes);
  const prob = new Float64Array(head.classes);
  let trace = 0;
  for (let i = 0; i < set.labels.length; i++) {
    const w = lineWeight(set, i);
    if (w === 0) continue;
    head.logits(set.features, i, z, theta);
    softmaxInto(z, prob);
    let norm = 1;
    for (let j = 0; j < head.dim; j++) norm += set.features[i * head.dim + j] ** 2;
    let diag = 0;
    for (let r = 0; r < head.rows; r++) {
      const pr = prob[head.classOfRow(r)];
      diag += pr * (1 - pr);
    }
    trace += (w / total) * diag * norm;
  }
  return trace + theta.length * l2;
}
