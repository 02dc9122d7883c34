/**
 * The candidate conditions the rule learner may use, evaluated on the fit rows: user concepts first
 * (the user asked about them), then text-feature bins, record fields, and the mined words and phrases.
 * Candidates that hold on exactly the same rows as an earlier one are dropped.
 */
import { dropDuplicateCoverage, evaluateCandidate, type ConceptCandidate } from './concept';
import { fieldConcepts } from './fieldConcepts';
import { textFeatureConcepts } from './numericConcepts';
import { mineTokenConcepts } from './tokenConcepts';
import type { ExampleView } from './textFeatures';
import type { ConceptRegistry } from './userConcepts';

export interface ConceptPoolInput {
  views: readonly ExampleView[];
  decisions: ArrayLike<number>;
  classCount: number;
  minSupport: number;
  maxTokenConcepts: number;
  userConcepts: ConceptRegistry;
  excludeFields: readonly string[];
}

export function buildConceptPool(input: ConceptPoolInput): ConceptCandidate[] {
  const { views, minSupport } = input;
  const user = [...input.userConcepts.values()]
    .map((concept) => evaluateCandidate({ kind: 'concept', name: concept.name, concept }, views))
    .filter((candidate) => candidate.support >= minSupport && candidate.support < views.length);
  return dropDuplicateCoverage([
    ...user,
    ...textFeatureConcepts(views, minSupport),
    ...fieldConcepts(views, minSupport, input.excludeFields),
    ...mineTokenConcepts({
      views,
      decisions: input.decisions,
      classCount: input.classCount,
      minSupport,
      maxConcepts: input.maxTokenConcepts,
    }),
  ]);
}
