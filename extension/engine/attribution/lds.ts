/**
 * Linear datamodeling score (TRAK's LDS): over random subsets holding `fraction` of the training lines,
 * retrain the head exactly and measure the policy's strength; LDS = Spearman between the attribution's
 * prediction for each subset (Σ influence over the kept lines) and the retrained strength.
 */
import { SeededRandom } from '../linalg/rng';
import { LinearHead } from './linearHead';
import { spearman } from './metrics';
import { measurePolicy } from './policyMeasure';
import { fitHeadTheta } from './retrain';
import type { AttributionInput } from './types';

export interface LdsOptions {
  /** L2 of the retraining objective (use the verification's). */
  l2: number;
  /** Number of random subsets (≥ 20 for a meaningful score). Default 20. */
  subsets?: number;
  /** Share of labelled lines kept per subset. Default 0.5. */
  fraction?: number;
  seed?: number;
}

export interface LdsResult {
  spearman: number;
  subsets: number;
  /** Per subset: Σ influence of the kept lines. */
  predicted: number[];
  /** Per subset: strength (mean margin, nats) after retraining on the kept lines. */
  actual: number[];
}

export function linearDatamodelingScore(input: AttributionInput, influence: Float64Array, options: LdsOptions): LdsResult {
  const { train, probes, policy } = input;
  const head = LinearHead.fromWeights(input.head, train.dim);
  const labelled: number[] = [];
  train.labels.forEach((label, i) => label >= 0 && labelled.push(i));
  const random = new SeededRandom(options.seed ?? 0);
  const count = Math.max(1, Math.round((options.fraction ?? 0.5) * labelled.length));
  const predicted: number[] = [];
  const actual: number[] = [];
  for (let s = 0; s < (options.subsets ?? 20); s++) {
    const kept = random.sample(labelled, count);
    const weights = new Float64Array(train.labels.length);
    let sum = 0;
    for (const i of kept) {
      weights[i] = 1;
      sum += influence[i];
    }
    const fit = fitHeadTheta(head, { features: train.features, labels: train.labels, weights }, { l2: options.l2 });
    predicted.push(sum);
    actual.push(measurePolicy(head, fit.theta, probes.features, policy).strength);
  }
  return { spearman: spearman(predicted, actual), subsets: predicted.length, predicted, actual };
}
