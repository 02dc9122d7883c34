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

/**
 * A proponent pushes the model toward the policy (influence > 0), an opponent away from it. Not "Δstrength < 0":
 * removing any line also strengthens the L2 term a little (the same shift for every line, see lineScores.ts),
 * which can outweigh a fitted line's tiny first-order effect even when a group of such lines carries the policy
 * (measured on a saturated poison case: requiring Δstrength < 0 let the verified top 30 keep the policy at 71%
 * adherence; by influence sign and relative order it falls to 0%).
 */
function isProponent(scores: LineScores, index: number): boolean {
  return scores.influence[index] > 0;
}

function isOpponent(scores: LineScores, index: number): boolean {
  return scores.influence[index] < 0;
}

/** Proponents, strongest first in the ranking's order. */
export function supporters(scores: LineScores): number[] {
  return supportOrder(scores).filter((i) => isProponent(scores, i));
}

/** Opponents, strongest first. */
export function opponents(scores: LineScores): number[] {
  return supportOrder(scores)
    .reverse()
    .filter((i) => isOpponent(scores, i));
}

/** Every labelled line in report order: the proponents first (as listed), then the rest in the ranking's order. */
export function reportOrder(scores: LineScores): number[] {
  const first = supporters(scores);
  const listed = new Set(first);
  return [...first, ...supportOrder(scores).filter((i) => !listed.has(i))];
}
