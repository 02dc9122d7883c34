/**
 * Where a policy's support acts: through the head (output pathway) or through earlier layers (feature pathway).
 * Summed over every training line the split is decided by the few lines with the largest gradients — hard,
 * often mislabelled lines that mostly push away from the policy (on the SMS demo five ham lines carry −5000
 * each while the lines the report lists carry 0.001), so "97% through the head" there describes those outliers,
 * not the policy. Summed over the proponents the report lists, it describes the lines that carry the policy:
 * on the planted cases (audit default, top 60) the head's share is 0.56 where the rule lives in the head (LP-FT
 * trigger) and 0.26 where it lives in the embedding (the same data trained from scratch).
 */
export interface PathwaySplit {
  /** Σ output pathway over the proponents. */
  output: number;
  /** Σ feature pathway over the proponents. */
  feature: number;
  /** How many proponents the sums run over. */
  proponents: number;
  /** The same sums over every training line. */
  allLines: { output: number; feature: number };
}

export function pathwaySplit(outputPathway: Float64Array, featurePathway: Float64Array, proponents: readonly number[]): PathwaySplit {
  if (outputPathway.length !== featurePathway.length) throw new Error(`${outputPathway.length} output-pathway scores for ${featurePathway.length} feature-pathway scores`);
  const sumOver = (values: Float64Array, indices: Iterable<number>) => {
    let total = 0;
    for (const i of indices) total += values[i];
    return total;
  };
  return {
    output: sumOver(outputPathway, proponents),
    feature: sumOver(featurePathway, proponents),
    proponents: proponents.length,
    allLines: { output: sumOver(outputPathway, outputPathway.keys()), feature: sumOver(featurePathway, featurePathway.keys()) },
  };
}

/** The head's share of |output| + |feature| (0.5 when both are zero). */
export function outputShare(split: Pick<PathwaySplit, 'output' | 'feature'>): number {
  const total = Math.abs(split.output) + Math.abs(split.feature);
  return total === 0 ? 0.5 : Math.abs(split.output) / total;
}
