/**
 * The head as a flat parameter vector θ, with the per-example quantities every other file needs: logits,
 * probabilities, the loss gradient coefficients δ = softmax(z) − onehot(y) and the policy margin gradient.
 *
 * Layout: θ has `rows` blocks of (dim + 1) numbers, block r = [W_r (dim weights), b_r]. For softmax heads
 * rows = C and row r is class r. For sigmoid heads rows = 1 and the row is class 1 of the two-class softmax
 * with logits [0, s]. A per-example gradient is then coef ⊗ [a; 1], coef being one number per row.
 */
import { PolicyTraceError } from '../errors';
import type { HeadWeights } from './types';

export type Features = Float32Array | Float64Array;

export class LinearHead {
  readonly classes: number;
  readonly rows: number;
  readonly stride: number;

  private constructor(
    readonly kind: HeadWeights['kind'],
    readonly dim: number,
    readonly theta: Float64Array,
  ) {
    this.rows = kind === 'sigmoid' ? 1 : theta.length / (dim + 1);
    this.classes = kind === 'sigmoid' ? 2 : this.rows;
    this.stride = dim + 1;
  }

  get parameterCount(): number {
    return this.theta.length;
  }

  static fromWeights(head: HeadWeights, dim: number): LinearHead {
    const rows = head.kind === 'sigmoid' ? 1 : head.b.length;
    if (head.kind === 'sigmoid' && head.b.length !== 1) {
      throw new PolicyTraceError(`sigmoid head must have one bias, got ${head.b.length}`, { field: 'head.b' }, 'head');
    }
    if (head.kind === 'softmax' && rows < 2) {
      throw new PolicyTraceError(`softmax head needs at least 2 classes, got ${rows}`, { field: 'head.b' }, 'head');
    }
    if (head.W.length !== rows * dim) {
      throw new PolicyTraceError(
        `head weight has ${head.W.length} entries; expected ${rows} × ${dim} (classes × feature dim)`,
        { field: 'head.W' },
        'head',
      );
    }
    const theta = new Float64Array(rows * (dim + 1));
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < dim; j++) theta[r * (dim + 1) + j] = head.W[r * dim + j];
      theta[r * (dim + 1) + dim] = head.b[r];
    }
    return new LinearHead(head.kind, dim, theta);
  }

  withTheta(theta: Float64Array): LinearHead {
    return new LinearHead(this.kind, this.dim, theta);
  }

  toWeights(): HeadWeights {
    const W = new Float32Array(this.rows * this.dim);
    const b = new Float32Array(this.rows);
    for (let r = 0; r < this.rows; r++) {
      for (let j = 0; j < this.dim; j++) W[r * this.dim + j] = this.theta[r * this.stride + j];
      b[r] = this.theta[r * this.stride + this.dim];
    }
    return { W, b, kind: this.kind };
  }

  /** Class whose logit row r parameterises. */
  classOfRow(row: number): number {
    return this.kind === 'sigmoid' ? 1 : row;
  }

  /** Logits of example `index` (length `classes`) written into `out`. */
  logits(features: Features, index: number, out: Float64Array, theta: Float64Array = this.theta): Float64Array {
    const base = index * this.dim;
    for (let r = 0; r < this.rows; r++) {
      const offset = r * this.stride;
      let z = theta[offset + this.dim];
      for (let j = 0; j < this.dim; j++) z += theta[offset + j] * features[base + j];
      if (this.kind === 'sigmoid') {
        out[0] = 0;
        out[1] = z;
      } else {
        out[r] = z;
      }
    }
    return out;
  }
}

/** Softmax of `logits` into `out`, returning log Σ exp (for the loss). */
export function softmaxInto(logits: Float64Array, out: Float64Array): number {
  let max = -Infinity;
  for (let c = 0; c < logits.length; c++) if (logits[c] > max) max = logits[c];
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    out[c] = Math.exp(logits[c] - max);
    sum += out[c];
  }
  for (let c = 0; c < logits.length; c++) out[c] /= sum;
  return max + Math.log(sum);
}

/**
 * Policy margin m = log p(a|x) − log(1 − p(a|x)) = z_a − logsumexp_{c≠a} z_c, and ∂m/∂z written into
 * `dMargin` (1 at a, −softmax over the other classes elsewhere). Note σ(m) = p(a|x) exactly.
 */
export function marginAndGradient(logits: Float64Array, action: number, dMargin: Float64Array): number {
  let max = -Infinity;
  for (let c = 0; c < logits.length; c++) if (c !== action && logits[c] > max) max = logits[c];
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    if (c === action) continue;
    dMargin[c] = Math.exp(logits[c] - max);
    sum += dMargin[c];
  }
  for (let c = 0; c < logits.length; c++) dMargin[c] = c === action ? 1 : -dMargin[c] / sum;
  return logits[action] - (max + Math.log(sum));
}

/** Index of the largest logit (the model's decision). */
export function argmax(values: Float64Array): number {
  let best = 0;
  for (let c = 1; c < values.length; c++) if (values[c] > values[best]) best = c;
  return best;
}

/** Adds coefficient[r] · [a_index; 1] into row blocks of `target` (a per-example gradient outer product). */
export function addOuter(
  head: LinearHead,
  rowCoefficients: ArrayLike<number>,
  features: Features,
  index: number,
  target: Float64Array,
  scale = 1,
): void {
  const base = index * head.dim;
  for (let r = 0; r < head.rows; r++) {
    const coef = rowCoefficients[r] * scale;
    if (coef === 0) continue;
    const offset = r * head.stride;
    for (let j = 0; j < head.dim; j++) target[offset + j] += coef * features[base + j];
    target[offset + head.dim] += coef;
  }
}

/** uᵀ g for g = coefficient ⊗ [a_index; 1], without building g. */
export function dotOuter(
  head: LinearHead,
  u: Float64Array,
  rowCoefficients: ArrayLike<number>,
  features: Features,
  index: number,
): number {
  const base = index * head.dim;
  let total = 0;
  for (let r = 0; r < head.rows; r++) {
    const coef = rowCoefficients[r];
    if (coef === 0) continue;
    const offset = r * head.stride;
    let dot = u[offset + head.dim];
    for (let j = 0; j < head.dim; j++) dot += u[offset + j] * features[base + j];
    total += coef * dot;
  }
  return total;
}

/** Maps class-space ∂/∂z (length classes) to row coefficients (length rows). */
export function classToRowCoefficients(head: LinearHead, perClass: Float64Array, out: Float64Array): Float64Array {
  for (let r = 0; r < head.rows; r++) out[r] = perClass[head.classOfRow(r)];
  return out;
}
