/**
 * Which lines count as a policy's strongest supporters. Two orders:
 * - 'relative' (default): relative influence, influence_i / √(g_iᵀ M g_i) (RelatIF, Barshan et al. 2020).
 *   Dividing by the line's own preconditioned gradient size ranks lines by how squarely they push toward
 *   this policy rather than by how badly the head fits them; raw influence is otherwise dominated by a few
 *   high-loss lines that push every policy of their class (measured: on the planted trigger case the poison
 *   precision@k goes 0.83 → 1.00, on the SMS model 1 → 9 of the top 20 spam proponents contain "free").
 * - 'effect': the predicted change of strength if the line alone were removed (the largest effects first).
 * Either way every reported line carries both numbers; only the order and the verified top-k differ.
 */
import type { LineScores } from './lineScores';

export type LineRanking = 'relative' | 'effect';

/** Positive = supports the policy; the size orders lines within a ranking. */
export function supportValue(scores: LineScores, index: number): number {
  return scores.ranking === 'relative' ? scores.relativeInfluence[index] : -scores.deltaStrength[index];
}

/** Labelled lines, strongest supporters first (ties by index so the order is deterministic). */
export function supportOrder(scores: LineScores): number[] {
  const indices: number[] = [];
  for (let i = 0; i < scores.labelled.length; i++) if (scores.labelled[i]) indices.push(i);
  const value = indices.map((i) => supportValue(scores, i));
  const position = new Map(indices.map((line, k) => [line, k]));
  return indices.sort((a, b) => value[position.get(b)!] - value[position.get(a)!] || a - b);
}

/** Lines that support the policy (support value > 0), strongest first. */
export function supporters(scores: LineScores): number[] {
  return supportOrder(scores).filter((i) => supportValue(scores, i) > 0);
}

/** Lines that oppose it (support value < 0), strongest opponents first. */
export function opponents(scores: LineScores): number[] {
  return supportOrder(scores)
    .reverse()
    .filter((i) => supportValue(scores, i) < 0);
}
