/**
 * Ranking metrics the tests and the benchmark use to grade attribution against known ground truth.
 * Higher score = ranked as more responsible. Ties get average ranks, so no metric depends on input order.
 */
import { PolicyTraceError } from '../errors';

function checkSameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) throw new PolicyTraceError(`${what}: ${a.length} scores for ${b.length} items`, {}, 'metrics');
}

/** 1-based ranks, ascending, ties averaged. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
    const rank = (start + end) / 2 + 1;
    for (let t = start; t <= end; t++) ranks[order[t]] = rank;
    start = end + 1;
  }
  return ranks;
}

/** Area under the ROC curve of `scores` separating `positives` (Mann–Whitney U / (n₊ n₋)). */
export function rocAuc(scores: ArrayLike<number>, positives: ArrayLike<boolean>): number {
  checkSameLength(scores, positives, 'rocAuc');
  const ranks = averageRanks(scores);
  let positiveCount = 0;
  let rankSum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (positives[i]) {
      positiveCount++;
      rankSum += ranks[i];
    }
  }
  const negativeCount = scores.length - positiveCount;
  if (positiveCount === 0 || negativeCount === 0) {
    throw new PolicyTraceError('rocAuc needs at least one positive and one negative item', {}, 'metrics');
  }
  return (rankSum - (positiveCount * (positiveCount + 1)) / 2) / (positiveCount * negativeCount);
}

/** Indices by descending score (ties by index). */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: scores.length }, (_, i) => i)
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, Math.max(0, k));
}

/** Share of the k highest-scored items that are positives. */
export function precisionAtK(scores: ArrayLike<number>, positives: ArrayLike<boolean>, k: number): number {
  checkSameLength(scores, positives, 'precisionAtK');
  const top = topIndices(scores, k);
  if (top.length === 0) return 0;
  return top.filter((i) => positives[i]).length / top.length;
}

/** Share of all positives that land in the top `fraction` of items by score. */
export function shareInTopFraction(scores: ArrayLike<number>, positives: ArrayLike<boolean>, fraction: number): number {
  checkSameLength(scores, positives, 'shareInTopFraction');
  const top = topIndices(scores, Math.ceil(fraction * scores.length));
  let total = 0;
  for (let i = 0; i < positives.length; i++) if (positives[i]) total++;
  if (total === 0) return 0;
  return top.filter((i) => positives[i]).length / total;
}

export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength(x, y, 'pearson');
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < n; i++) {
    meanX += x[i] / n;
    meanY += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - meanX) * (y[i] - meanY);
    sxx += (x[i] - meanX) ** 2;
    syy += (y[i] - meanY) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

/** Spearman rank correlation (Pearson on average ranks). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength(x, y, 'spearman');
  return pearson(averageRanks(x), averageRanks(y));
}
