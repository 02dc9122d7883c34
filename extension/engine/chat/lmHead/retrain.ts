/**
 * Exact retraining of the LM head on fixed hidden states (head-only retraining leaves the features unchanged):
 *   J(W̃) = (1 / N_kept) Σ_{kept lines i} L_i(W̃) + (l2 / 2) ‖W̃‖²,
 * N_kept = counted tokens of the kept lines; i.e. Σ_kept L_i + (l2/2)‖W̃‖²·N_kept up to that constant factor.
 * A bias, when present, is a column of W̃ and is regularised like the weights. Convex, so L-BFGS (memory 10,
 * Armijo backtracking) from any warm start reaches the same optimum; loss and gradient run as one
 * onnxruntime graph over all tokens.
 */
import { PolicyTraceError } from '../../errors';
import { featureRows, headFromParameters, headParameters, type HeadParameters } from './augmentedHead';
import { LmHeadKernels, type RowSet } from './headKernels';
import type { LmHead, TokenStates } from './types';
import { lbfgsDirection } from '../../linalg/lbfgs';

export interface LmRetrainOptions {
  l2: number;
  /** Training sequences to leave out. */
  removed?: number[];
  /** Stop when max |∇J| falls below this (default 1e-5; float32 products put the noise floor near 1e-7). */
  tolerance?: number;
  maxIterations?: number;
  kernels?: LmHeadKernels;
}

export interface LmRetrainResult {
  head: LmHead;
  iterations: number;
  evaluations: number;
  objective: number;
  gradientMaxAbs: number;
  converged: boolean;
  ms: number;
}

export interface FitProblem {
  kernels: LmHeadKernels;
  rows: RowSet;
  /** 1 for rows of kept lines, 0 for removed ones. */
  rowWeight: Float32Array;
  keptTokens: number;
}

export function keepWeights(sequenceOfRow: Int32Array, sequences: number, removed: number[] = []): { rowWeight: Float32Array; keptTokens: number } {
  const drop = new Uint8Array(sequences);
  for (const i of removed) {
    if (!Number.isInteger(i) || i < 0 || i >= sequences) {
      throw new PolicyTraceError(`removed line index ${i} is not in 0..${sequences - 1}`, { field: 'removed' }, 'lm-head');
    }
    drop[i] = 1;
  }
  const rowWeight = Float32Array.from(sequenceOfRow, (s) => (drop[s] ? 0 : 1));
  const keptTokens = rowWeight.reduce((a, w) => a + w, 0);
  if (keptTokens === 0) throw new PolicyTraceError('no trained tokens left after the removal', { field: 'removed' }, 'lm-head');
  return { rowWeight, keptTokens };
}

interface Point {
  theta: Float64Array;
  value: number;
  gradient: Float64Array;
}

async function evaluate(problem: FitProblem, theta: Float64Array, l2: number): Promise<Point> {
  const { logp, grad } = await problem.kernels.lossGrad(Float32Array.from(theta), problem.rows, problem.rowWeight);
  let loss = 0;
  for (let r = 0; r < logp.length; r++) loss -= problem.rowWeight[r] * logp[r];
  let norm = 0;
  const gradient = new Float64Array(theta.length);
  for (let j = 0; j < theta.length; j++) {
    norm += theta[j] * theta[j];
    gradient[j] = grad[j] / problem.keptTokens + l2 * theta[j];
  }
  return { theta, value: loss / problem.keptTokens + 0.5 * l2 * norm, gradient };
}

const dot = (a: Float64Array, b: Float64Array): number => {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
};
const maxAbs = (a: Float64Array): number => a.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

/** Minimises J from `start` (V × cols). */
export async function fitHeadParameters(
  problem: FitProblem,
  start: ArrayLike<number>,
  l2: number,
  tolerance = 1e-5,
  maxIterations = 500,
): Promise<{ theta: Float64Array; iterations: number; evaluations: number; objective: number; gradientMaxAbs: number; converged: boolean }> {
  if (!(l2 > 0)) throw new PolicyTraceError(`retraining needs an L2 coefficient > 0, got ${l2}`, { field: 'l2' }, 'lm-head');
  let current = await evaluate(problem, Float64Array.from(start), l2);
  let evaluations = 1;
  const history: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  let iterations = 0;
  while (iterations < maxIterations && maxAbs(current.gradient) > tolerance) {
    iterations++;
    const direction = lbfgsDirection(current.gradient, history);
    let slope = dot(direction, current.gradient);
    if (!(slope < 0)) {
      history.length = 0; // A stale curvature pair; restart from steepest descent.
      direction.set(current.gradient.map((g) => -g));
      slope = dot(direction, current.gradient);
    }
    // The first step has no curvature estimate: cap its length at 1 in parameter space.
    let step = history.length === 0 ? Math.min(1, 1 / Math.sqrt(dot(direction, direction))) : 1;
    let next: Point | undefined;
    for (let attempt = 0; attempt < 30; attempt++) {
      const candidate = current.theta.map((x, j) => x + step * direction[j]);
      const trial = await evaluate(problem, candidate, l2);
      evaluations++;
      if (trial.value <= current.value + 1e-4 * step * slope) {
        next = trial;
        break;
      }
      step *= 0.5;
    }
    if (!next) break; // No decrease representable in float32 products: the optimum's noise floor.
    const s = next.theta.map((x, j) => x - current.theta[j]);
    const y = next.gradient.map((x, j) => x - current.gradient[j]);
    const sy = dot(s, y);
    if (sy > 1e-20) {
      history.push({ s, y, rho: 1 / sy });
      if (history.length > 10) history.shift();
    }
    current = next;
  }
  const gradientMaxAbs = maxAbs(current.gradient);
  return { theta: current.theta, iterations, evaluations, objective: current.value, gradientMaxAbs, converged: gradientMaxAbs <= tolerance * 10 };
}


export function trainProblem(kernels: LmHeadKernels, train: TokenStates, parameters: HeadParameters, removed?: number[]): FitProblem {
  const rows = { features: featureRows(train, parameters), targets: train.targets };
  return { kernels, rows, ...keepWeights(train.sequenceOfRow, train.sequences, removed) };
}

/** Retrains the head without `removed`, warm-started at `start`. */
export async function retrainLmHead(start: LmHead, train: TokenStates, options: LmRetrainOptions): Promise<LmRetrainResult> {
  const parameters = headParameters(start);
  const kernels = options.kernels ?? new LmHeadKernels(parameters.vocabSize, parameters.cols);
  const started = performance.now();
  try {
    const problem = trainProblem(kernels, train, parameters, options.removed);
    const fit = await fitHeadParameters(problem, parameters.theta, options.l2, options.tolerance, options.maxIterations);
    return {
      head: headFromParameters(fit.theta, parameters),
      iterations: fit.iterations,
      evaluations: fit.evaluations,
      objective: fit.objective,
      gradientMaxAbs: fit.gradientMaxAbs,
      converged: fit.converged,
      ms: performance.now() - started,
    };
  } finally {
    if (!options.kernels) await kernels.release();
  }
}
