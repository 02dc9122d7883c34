/**
 * Exact convex retraining of the head on fixed features: multinomial logistic regression with L2,
 * warm-started from a given head. Newton's method with Armijo backtracking while the exact Hessian is cheap
 * (p ≤ maxNewtonParams), L-BFGS beyond. Deterministic: no randomness, fixed iteration order.
 */
import { PolicyTraceError } from '../errors';
import { choleskyFactor, choleskySolve } from '../linalg/cholesky';
import { headHessian, headObjective, checkLabels, hessianCost, MAX_HESSIAN_COST, type LabelledFeatures } from './headObjective';
import { LinearHead, type Features } from './linearHead';
import type { HeadWeights } from './types';
import { lbfgsDirection } from '../linalg/lbfgs';

export interface RetrainOptions {
  /** L2 coefficient (> 0: keeps the problem strictly convex even on separable data). */
  l2: number;
  /** Per-line weights (0 = removed). Default all 1. */
  weights?: Float64Array;
  /** Stop when max |∇J| falls below this. Default 1e-9. */
  tolerance?: number;
  maxIterations?: number;
  maxNewtonParams?: number;
}

export interface RetrainResult {
  head: HeadWeights;
  theta: Float64Array;
  method: 'newton' | 'lbfgs';
  iterations: number;
  objective: number;
  gradientMaxAbs: number;
  converged: boolean;
}

export interface TrainingFeatures {
  features: Features;
  labels: Int32Array;
  dim: number;
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (let j = 0; j < values.length; j++) max = Math.max(max, Math.abs(values[j]));
  return max;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j] * b[j];
  return sum;
}

/** Backtracking until the Armijo condition holds; returns the accepted point or undefined. */
function lineSearch(
  head: LinearHead,
  set: LabelledFeatures,
  l2: number,
  theta: Float64Array,
  current: { value: number; gradient: Float64Array },
  direction: Float64Array,
): { theta: Float64Array; value: number; gradient: Float64Array } | undefined {
  const slope = dot(current.gradient, direction);
  if (!(slope < 0)) return undefined;
  let step = 1;
  for (let attempt = 0; attempt < 40; attempt++) {
    const candidate = new Float64Array(theta.length);
    for (let j = 0; j < theta.length; j++) candidate[j] = theta[j] + step * direction[j];
    const next = headObjective(head, candidate, set, l2);
    if (next.value <= current.value + 1e-4 * step * slope) return { theta: candidate, ...next };
    // Near the optimum the predicted decrease drops below float64 resolution of J, and Armijo fails on rounding
    // noise alone; a step that shrinks the gradient is then the right test of progress.
    const belowResolution = -slope * step < 1e-13 * (1 + Math.abs(current.value));
    if (belowResolution && maxAbs(next.gradient) < maxAbs(current.gradient)) return { theta: candidate, ...next };
    step *= 0.5;
  }
  return undefined;
}

export function fitHeadTheta(head: LinearHead, set: LabelledFeatures, options: RetrainOptions): RetrainResult {
  if (!(options.l2 > 0)) {
    throw new PolicyTraceError(`retraining needs an L2 coefficient > 0, got ${options.l2}`, { field: 'l2' }, 'attribution');
  }
  const tolerance = options.tolerance ?? 1e-9;
  // Newton rebuilds the Hessian every iteration: only while that is cheap, else L-BFGS (O(n·p) per step).
  const useNewton =
    head.parameterCount <= (options.maxNewtonParams ?? 2048) && hessianCost(head, set.labels.length) <= MAX_HESSIAN_COST / 4;
  const maxIterations = options.maxIterations ?? (useNewton ? 100 : 2000);
  let theta: Float64Array = Float64Array.from(head.theta);
  let current = headObjective(head, theta, set, options.l2);
  const history: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  let iterations = 0;
  while (iterations < maxIterations && maxAbs(current.gradient) > tolerance) {
    iterations++;
    const direction = useNewton
      ? newtonDirection(head, theta, set, options.l2, current.gradient)
      : lbfgsDirection(current.gradient, history);
    const next = lineSearch(head, set, options.l2, theta, current, direction);
    if (!next) break; // No further decrease is representable in float64: we are at the optimum's noise floor.
    if (!useNewton) {
      const s = next.theta.map((x, j) => x - theta[j]);
      const y = next.gradient.map((x, j) => x - current.gradient[j]);
      const sy = dot(s, y);
      if (sy > 1e-300) {
        history.push({ s, y, rho: 1 / sy });
        if (history.length > 10) history.shift();
      }
    }
    theta = next.theta;
    current = next;
  }
  const gradientMaxAbs = maxAbs(current.gradient);
  const fitted = head.withTheta(theta);
  return {
    head: fitted.toWeights(),
    theta,
    method: useNewton ? 'newton' : 'lbfgs',
    iterations,
    objective: current.value,
    gradientMaxAbs,
    converged: gradientMaxAbs <= Math.max(tolerance, 1e-7),
  };
}

function newtonDirection(head: LinearHead, theta: Float64Array, set: LabelledFeatures, l2: number, gradient: Float64Array): Float64Array {
  const hessian = headHessian(head, theta, set, l2);
  const solved = choleskySolve(choleskyFactor(hessian, theta.length, 'head Hessian during retraining'), gradient);
  return solved.map((x) => -x);
}


/** Retrains the head on `train` (lines weighted by options.weights), warm-started from `start`. */
export function retrainHead(start: HeadWeights, train: TrainingFeatures, options: RetrainOptions): RetrainResult {
  const head = LinearHead.fromWeights(start, train.dim);
  if (train.features.length !== train.labels.length * train.dim) {
    throw new PolicyTraceError(
      `training features have ${train.features.length} entries; expected ${train.labels.length} × ${train.dim}`,
      { field: 'train.features' },
      'attribution',
    );
  }
  checkLabels(head, train.labels);
  return fitHeadTheta(head, { features: train.features, labels: train.labels, weights: options.weights }, options);
}
