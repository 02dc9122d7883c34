/** Small statistics used to accept rules and to report how well a rule list mimics the model. */

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9),
 * for the Bonferroni-corrected critical value of the rule acceptance test.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** Wilson score lower bound of a binomial proportion k/n at normal quantile z. */
export function wilsonLowerBound(k: number, n: number, z: number): number {
  if (n === 0) return 0;
  const p = k / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return (centre - spread) / (1 + z2 / n);
}

/**
 * One-sided test that a rule's precision k/n beats the base rate p0 of its action among the rows still
 * uncovered: the Wilson lower bound at the corrected z must exceed p0.
 */
export function beatsBaseRate(k: number, n: number, p0: number, z: number): boolean {
  return wilsonLowerBound(k, n, z) > p0;
}

/** Share of rows where two labelings agree. */
export function agreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/**
 * Cohen's κ = (p_o − p_e) / (1 − p_e), with p_e from the two labelings' marginals. When both labelings
 * put every row in one and the same class (p_e = 1) agreement is perfect and κ is reported as 1.
 */
export function cohenKappa(a: ArrayLike<number>, b: ArrayLike<number>, classCount: number): number {
  const n = a.length;
  if (n === 0) return 0;
  const countA = new Float64Array(classCount);
  const countB = new Float64Array(classCount);
  for (let i = 0; i < n; i++) {
    countA[a[i]]++;
    countB[b[i]]++;
  }
  let expected = 0;
  for (let c = 0; c < classCount; c++) expected += (countA[c] / n) * (countB[c] / n);
  const observed = agreement(a, b);
  if (expected >= 1 - 1e-12) return observed >= 1 - 1e-12 ? 1 : 0;
  return (observed - expected) / (1 - expected);
}

/** Probabilities are clipped so a saturated model gives a large but finite margin. */
const PROBABILITY_FLOOR = 1e-7;

/** The policy margin log p(a|x) − log(1 − p(a|x)) in nats. */
export function actionMargin(probability: number): number {
  const p = Math.min(1 - PROBABILITY_FLOOR, Math.max(PROBABILITY_FLOOR, probability));
  return Math.log(p) - Math.log(1 - p);
}
