/**
 * Can the earlier layers' share of a full-model attribution add anything to head-only attribution? On a planted
 * case with full-retraining truth, head-only influence plus `weight` × a full-model run's feature pathway is scored
 * against full retraining for a few weights, each with its paired-bootstrap difference from head-only alone.
 * Weight 0 is head-only; weight 1 takes the feature pathway at its own scale (both are nats of mean margin per
 * unit of up-weighting). If no weight lifts LDS above head-only's interval, the feature pathway carries nothing
 * the retrainings confirm beyond what head-only already ranks, whatever the preconditioner's scale.
 */
import type { FullRetrainLds, LdsDifference } from './fullRetrainLds';

export interface PathwayMix {
  weight: number;
  /** LDS of head-only + weight × feature pathway against full retraining. */
  ldsFullRetraining: number;
  /** That LDS minus head-only's, with its 95% paired-bootstrap interval. */
  minusHeadOnly: LdsDifference;
}

export const PATHWAY_MIX_WEIGHTS = [0.1, 0.3, 1] as const;

export function headOnlyPlusFeaturePathway(
  headInfluence: Float64Array,
  featurePathway: Float64Array,
  truth: Pick<FullRetrainLds, 'score' | 'compare'>,
  weights: readonly number[] = PATHWAY_MIX_WEIGHTS,
): PathwayMix[] {
  if (headInfluence.length !== featurePathway.length) throw new Error(`${headInfluence.length} head-only scores for ${featurePathway.length} feature-pathway scores`);
  return weights.map((weight) => {
    const mixed = headInfluence.map((value, i) => value + weight * featurePathway[i]);
    return { weight, ldsFullRetraining: truth.score(mixed), minusHeadOnly: truth.compare(mixed, headInfluence) };
  });
}

/**
 * The highest LDS any attribution can expect against retraining that is itself noisy: with seed-to-seed spread r
 * times the subsets' spread, the retrained strengths' correlation with anything is at most about √(1 − r²).
 */
export function ldsCeiling(noiseToSignal: number): number {
  return Math.sqrt(Math.max(0, 1 - noiseToSignal * noiseToSignal));
}
