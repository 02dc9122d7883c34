/**
 * A/B choice: which of a probe's two answers the model prefers. margin > 0 means the answer showing the
 * behaviour is more likely than the other; a tie (margin exactly 0) counts as not showing it.
 */
import type { PreferenceLabels } from '../types';

export const AB_LABELS: PreferenceLabels = { matching: 'matching', notMatching: 'not_matching' };

export function abChoice(margins: ArrayLike<number>, labels: PreferenceLabels = AB_LABELS): string[] {
  return Array.from(margins, (margin) => (margin > 0 ? labels.matching : labels.notMatching));
}

/**
 * The model's preference as a probability, for rule learners that read class probabilities: with two
 * answers only, P(matching) = p(m) / (p(m) + p(n)) = sigmoid(margin) (the Bradley–Terry choice rule).
 */
export function abChoiceProbability(margin: number): number {
  return margin >= 0 ? 1 / (1 + Math.exp(-margin)) : Math.exp(margin) / (1 + Math.exp(margin));
}
