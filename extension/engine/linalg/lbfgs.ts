/**
 * The L-BFGS two-loop recursion: the quasi-Newton descent direction −H·g from the last few curvature pairs
 * (s = step, y = change of gradient, rho = 1 / yᵀs). Shared by both exact head retrainers.
 */
export interface CurvaturePair {
  s: Float64Array;
  y: Float64Array;
  rho: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function lbfgsDirection(gradient: Float64Array, history: readonly CurvaturePair[]): Float64Array {
  const q = Float64Array.from(gradient);
  const alphas = new Float64Array(history.length);
  for (let h = history.length - 1; h >= 0; h--) {
    const { s, y, rho } = history[h];
    alphas[h] = rho * dot(s, q);
    for (let j = 0; j < q.length; j++) q[j] -= alphas[h] * y[j];
  }
  if (history.length > 0) {
    // Scale by yᵀs / yᵀy of the newest pair: the usual initial Hessian guess.
    const last = history[history.length - 1];
    const gamma = 1 / (last.rho * dot(last.y, last.y));
    for (let j = 0; j < q.length; j++) q[j] *= gamma;
  }
  for (let h = 0; h < history.length; h++) {
    const { s, y, rho } = history[h];
    const beta = rho * dot(y, q);
    for (let j = 0; j < q.length; j++) q[j] += (alphas[h] - beta) * s[j];
  }
  return q.map((x) => -x);
}
