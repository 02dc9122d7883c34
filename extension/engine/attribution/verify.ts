/**
 * Verification by exact retraining of the head. The reference is θ_full, the head refitted on all lines with
 * the same L2 (not the original weights, so refit drift never counts as an effect). We then refit without
 * the top-k supporting lines and, for several seeds, without k random lines, and re-measure the policy.
 *
 * Rule: verified ⇔ the flagged strength drop is positive and ≥ 3 × max(0, mean random strength drop), and
 * the flagged adherence drop is ≥ 0.2 (a fifth of the covered probes stop taking the action).
 */
import { PolicyTraceError } from '../errors';
import type { Verification, VerificationRun } from '../report/schema';
import { SeededRandom } from '../linalg/rng';
import { chooseRetrainL2, probeAgreement } from './chooseL2';
import { reportOrder, supporters } from './ranking';
import { LinearHead } from './linearHead';
import type { LineScores } from './lineScores';
import { measurePolicy, type PolicyMeasure } from './policyMeasure';
import { fitHeadTheta } from './retrain';
import type { AttributionInput } from './types';

export interface VerifyOptions {
  /** Lines to remove. Default: the smallest k whose predicted removal takes away half the strength, capped. */
  k?: number;
  /** Explicit training-line indices to remove instead of the top-k ranking (e.g. the group a symbolic rule
   * names: lines satisfying the antecedent and labelled with the action). k becomes their count and the curve
   * removes them in the given order. */
  flagged?: number[];
  /** Cap on the default k. Default max(10, 5% of the labelled lines). */
  maxK?: number;
  /** Seeds of the random removals. Default [1, 2, 3, 4, 5]. */
  seeds?: number[];
  /** L2 of the retraining objective. Default: chosen by chooseRetrainL2 against the original head's decisions. */
  l2?: number;
  /** Random seeds averaged at each intermediate point of the curve. Default 1. */
  curveSeeds?: number;
}

export const VERIFY_RULE =
  'verified when removing the flagged lines lowers the strength by at least 3× the mean drop from removing as many ' +
  'random lines, and lowers adherence by at least 0.2';

/** Smallest k whose cumulative predicted Δstrength (in support order) reaches −strength/2; the cap when it never does. */
export function defaultRemovalCount(scores: LineScores, supporters: number[], strength: number, cap: number): number {
  const limit = Math.max(1, Math.min(cap, supporters.length));
  if (!(strength > 0)) return limit;
  let cumulative = 0;
  for (let k = 0; k < limit; k++) {
    cumulative += scores.deltaStrength[supporters[k]];
    if (cumulative <= -strength / 2) return k + 1;
  }
  return limit;
}

export function verifyPolicy(input: AttributionInput, scores: LineScores, options: VerifyOptions = {}): Verification {
  const { train, probes, policy } = input;
  const head = LinearHead.fromWeights(input.head, train.dim);
  const l2 = options.l2 ?? chooseRetrainL2(input.head, train, probes.features).l2;
  const set = { features: train.features, labels: train.labels };
  const full = fitHeadTheta(head, set, { l2 });
  const fullHead = head.withTheta(full.theta);
  const baseline = measurePolicy(head, full.theta, probes.features, policy);

  const supporting = supporters(scores);
  const order = reportOrder(scores);
  const labelledLines: number[] = [];
  scores.labelled.forEach((flag, i) => flag && labelledLines.push(i));
  const cap = options.maxK ?? Math.max(10, Math.ceil(0.05 * labelledLines.length));
  const explicit = options.flagged;
  if (explicit) {
    const bad = explicit.find((i) => !scores.labelled[i]);
    if (bad !== undefined || explicit.length === 0) {
      throw new PolicyTraceError(
        bad === undefined ? 'no lines given to remove' : `line index ${bad} is not a labelled training line`,
        { field: 'verify.flagged' },
        'attribution',
      );
    }
  }
  const k = explicit
    ? explicit.length
    : Math.max(1, Math.min(options.k ?? defaultRemovalCount(scores, supporting, baseline.strength, cap), labelledLines.length - 1));
  const seeds = options.seeds ?? [1, 2, 3, 4, 5];
  if (seeds.length === 0) throw new PolicyTraceError('verification needs at least one random seed', { field: 'verify.seeds' }, 'attribution');

  const measureWithout = (removed: number[]): PolicyMeasure => {
    const weights = new Float64Array(train.labels.length).fill(1);
    for (const i of removed) weights[i] = 0;
    const fit = fitHeadTheta(fullHead, { ...set, weights }, { l2 });
    return measurePolicy(head, fit.theta, probes.features, policy);
  };
  const run = (removed: number, measure: PolicyMeasure, seed?: number): VerificationRun => ({
    removed,
    ...(seed !== undefined ? { seed } : {}),
    strength: measure.strength,
    adherence: measure.adherence,
  });
  const randomLines = (seed: number, count: number): number[] => new SeededRandom(seed).sample(labelledLines, count);

  // Removing more lines than support the policy still removes the ranked lines first, then the rest in order.
  const ranking = explicit ?? order;
  const flagged = run(k, measureWithout(ranking.slice(0, k)));
  const random = seeds.map((seed) => run(k, measureWithout(randomLines(seed, k)), seed));
  const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);
  const randomStrength = mean(random.map((r) => r.strength));
  const randomAdherence = mean(random.map((r) => r.adherence));

  const curve: Verification['curve'] = [{ removed: 0, flaggedStrength: baseline.strength, randomStrength: baseline.strength }];
  const curveSeeds = seeds.slice(0, Math.max(1, options.curveSeeds ?? 1));
  for (const count of [...new Set([Math.round(k / 4), Math.round(k / 2)])].filter((c) => c > 0 && c < k)) {
    curve.push({
      removed: count,
      flaggedStrength: measureWithout(ranking.slice(0, count)).strength,
      randomStrength: mean(curveSeeds.map((seed) => measureWithout(randomLines(seed, count)).strength)),
    });
  }
  curve.push({ removed: k, flaggedStrength: flagged.strength, randomStrength });

  const strengthDropFlagged = baseline.strength - flagged.strength;
  const strengthDropRandomMean = baseline.strength - randomStrength;
  const adherenceDropFlagged = baseline.adherence - flagged.adherence;
  const adherenceDropRandomMean = baseline.adherence - randomAdherence;
  const verified = strengthDropFlagged > 0 && strengthDropFlagged >= 3 * Math.max(0, strengthDropRandomMean) && adherenceDropFlagged >= 0.2;
  const original = measurePolicy(head, head.theta, probes.features, policy);
  const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
  const verdict =
    `Removing the ${explicit ? '' : 'top '}${k} ${explicit ? 'given ' : ''}lines and retraining the head moves adherence ${pct(baseline.adherence)} → ${pct(flagged.adherence)} ` +
    `and strength ${baseline.strength.toFixed(2)} → ${flagged.strength.toFixed(2)} nats; ${k} random lines (${seeds.length} seeds) ` +
    `give ${pct(randomAdherence)} and ${randomStrength.toFixed(2)} nats: ${verified ? 'verified' : 'not verified'}.`;
  return {
    k,
    baseline: { strength: baseline.strength, adherence: baseline.adherence },
    flagged,
    random,
    adherenceDropFlagged,
    adherenceDropRandomMean,
    strengthDropFlagged,
    strengthDropRandomMean,
    curve,
    verified,
    verdict,
    rule: VERIFY_RULE,
    retraining: {
      method: `${full.method} on the L2-regularised head loss`,
      l2,
      probeAgreement: probeAgreement(head, head.theta, full.theta, probes.features),
      original: { strength: original.strength, adherence: original.adherence },
    },
  };
}
