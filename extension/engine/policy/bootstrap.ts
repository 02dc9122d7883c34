/**
 * Stability of extracted rules: re-learn the list on B bootstrap resamples of the fit rows (same candidate
 * concepts, re-indexed onto the resample) and count how often each rule comes back. A rule is the same
 * rule when it has the same action and the same set of conditions, in any order.
 */
import { gatherBits } from './bitset';
import { candidateFromBits, type ConceptCandidate } from './concept';
import { learnDecisionList, type LearnedRule, type LearnerOptions } from './ruleLearner';
import { resampleWithReplacement, seededRandom } from './random';

export function ruleKey(rule: LearnedRule, concepts: readonly ConceptCandidate[]): string {
  const names = rule.conditions.map((index) => concepts[index].name).sort();
  return `${rule.action}|${names.join('\u0000')}`;
}

/** Share of resamples whose learned list contains each rule key. */
export function bootstrapStability(
  concepts: readonly ConceptCandidate[],
  decisions: Int32Array,
  classCount: number,
  options: LearnerOptions,
  resamples: number,
  seed: number,
): Map<string, number> {
  const counts = new Map<string, number>();
  if (resamples <= 0) return counts;
  const random = seededRandom(seed ^ 0x5bd1e995);
  const rows = Array.from({ length: decisions.length }, (_, i) => i);
  for (let b = 0; b < resamples; b++) {
    const drawn = resampleWithReplacement(rows, random);
    const resampled = concepts.map((concept) => candidateFromBits(concept.expr, gatherBits(concept.bits, drawn)));
    const resampledDecisions = Int32Array.from(drawn, (row) => decisions[row]);
    const list = learnDecisionList(resampled, resampledDecisions, classCount, options);
    for (const key of new Set(list.rules.map((rule) => ruleKey(rule, concepts)))) counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of counts) counts.set(key, count / resamples);
  return counts;
}
