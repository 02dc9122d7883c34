/**
 * Full-model attribution (every layer, through the ONNX backward graph) scored on a planted-policy case next to
 * head-only attribution from the same run: poison AUC, precision@k (k = #poison), poison share in the top 10%,
 * and LDS. Both LDS figures use the same 20 random 50% subsets (seed 7, as evaluatePlantedCase) and the same
 * ground truth — the policy strength after retraining the HEAD on each subset, exactly and convexly — so they
 * are comparable, but that target favours head-only attribution. Where the case ships full_retrain_lds.json (every
 * layer retrained by torch on 100 random halves, fullRetrainLds.ts) both are also scored against full retraining.
 * Each attribution is scored twice: ordered by influence, and by relative influence (the audit's default order).
 * Against full retraining each run also scores head-only plus a few weights of its feature pathway (pathwayMix.ts),
 * and the case reports the LDS ceiling its retraining noise allows and a 0/1 poison indicator's LDS.
 */
import { promises as fs } from 'node:fs';
import {
  linearDatamodelingScore,
  precisionAtK,
  rocAuc,
  scoreTrainingLines,
  shareInTopFraction,
  spearman,
  type AttributionInput,
} from '../attribution';
import { attributePolicyFullModel, type FullModelPreconditionerKind } from '../attribution/fullModel';
import type { ProjectionOptions } from '../autodiff/projection';
import type { FisherKind } from '../attribution/trakProjected';
import { SeededRandom } from '../linalg/rng';
import { loadPlantedCase } from './plantedCase';
import { loadFullRetrainLds, type LdsDifference } from './fullRetrainLds';
import { outputShare, pathwaySplit } from '../attribution/pathwaySplit';
import { proponentOrder } from '../attribution/proponentOrder';
import { headOnlyPlusFeaturePathway, ldsCeiling, type PathwayMix } from './pathwayMix';

export interface PlantedScores {
  auc: number | null;
  precisionAtK: number | null;
  poisonShareInTop10Percent: number | null;
  /** Spearman over random 50% subsets against head retraining; null when ldsSubsets is 0. */
  lds: number | null;
  /** Spearman against full retraining (every layer); null when the case ships no such truth. */
  ldsFullRetraining: number | null;
}

/** AUC / precision@k / top-10% share of the same attribution ordered by relative influence. */
export type RankingScores = Pick<PlantedScores, 'auc' | 'precisionAtK' | 'poisonShareInTop10Percent'>;

/** One full-model configuration: a preconditioner and, for 'trak', which Fisher it builds. */
export interface FullModelVariant {
  preconditioner: FullModelPreconditionerKind;
  fisher?: FisherKind;
  /** Relative damping (attributePolicyFullModel's default when absent). */
  damping?: number;
}

/** 'identity', 'diagonalFisher', 'trak' (empirical Fisher), 'trak-trueFisher', 'kfac', 'ekfac' (both true Fisher). */
export function variantName(variant: FullModelVariant): string {
  const name = variant.fisher === 'true' ? `${variant.preconditioner}-trueFisher` : variant.preconditioner;
  return variant.damping === undefined ? name : `${name}-damping${variant.damping}`;
}

export const DEFAULT_VARIANTS: FullModelVariant[] = [
  { preconditioner: 'identity' },
  { preconditioner: 'diagonalFisher' },
  { preconditioner: 'trak' },
  { preconditioner: 'trak', fisher: 'true' },
  // λ = the mean eigenvalue instead of a tenth of it: measured better LDS against full retraining on both cases.
  { preconditioner: 'trak', fisher: 'true', damping: 1 },
  { preconditioner: 'kfac' },
  { preconditioner: 'ekfac' },
];

export interface FullModelPlantedRun extends PlantedScores {
  variant: string;
  /** LDS against full retraining, this run minus head-only, with its 95% paired-bootstrap interval (null without the truth). */
  ldsFullRetrainingMinusHeadOnly: LdsDifference | null;
  /** Head-only influence plus a few weights of this run's feature pathway, against full retraining (pathwayMix.ts). */
  headOnlyPlusFeaturePathway: PathwayMix[] | null;
  relative: RankingScores;
  preconditioner: FullModelPreconditionerKind;
  /** Σ over the poison lines of each pathway's influence (null for the clean control). */
  poisonOutputPathway: number | null;
  poisonFeaturePathway: number | null;
  /** Share of Σ|influence| over all lines carried by the feature pathway (earlier layers). */
  featurePathwayShare: number;
  /** The head's share of the pathway split over the top-k lines by relative influence (k = #poison), as audits report it. */
  proponentOutputShare: number;
  damping: number | null;
  method: string;
  seconds: number;
}

export interface PlantedFullModelEvaluation {
  case: string;
  rule: string;
  poisonCount: number;
  trainLines: number;
  coveredProbes: number;
  /** Head-only attribution with the exact damped head Hessian, as evaluatePlantedCase scores it. */
  headOnly: PlantedScores;
  headOnlyRelative: RankingScores;
  fullModel: FullModelPlantedRun[];
  ldsTarget: string;
  /** Null when the case ships no full-retraining truth. */
  ldsFullRetrainingTarget: string | null;
  /** Seed-to-seed spread of the fully retrained strength over its spread across subsets (LDS's noise floor). */
  fullRetrainingNoiseToSignal: number | null;
  /** About the highest LDS the retrainings' seed noise allows (√(1 − noise/signal²)). */
  fullRetrainingLdsCeiling: number | null;
  /** LDS of a 0/1 indicator of the poison lines against full retraining: "just find the poison" scores this. */
  poisonIndicatorLdsFullRetraining: number | null;
}

export interface PlantedFullModelOptions {
  variants?: FullModelVariant[];
  projection?: ProjectionOptions | null;
  ldsSubsets?: number;
  batchSize?: number;
}

export const DEFAULT_PLANTED_PROJECTION: ProjectionOptions = { kIn: 16, kOut: 16, seed: 0 };
const LDS_SEED = 7;

/**
 * The head retrainings behind LDS run once (20 exact fits): every attribution is then scored against the same
 * retrained strengths. The subsets are redrawn exactly as lds.ts draws them (same seed, same sampler), and the
 * head's own predicted sums are checked against lds.ts's so a change there cannot silently desynchronise them.
 */
function sharedLds(input: AttributionInput, headInfluence: Float64Array, l2: number, subsets: number): (influence: Float64Array) => number {
  const reference = linearDatamodelingScore(input, headInfluence, { l2, subsets, seed: LDS_SEED });
  const labelled: number[] = [];
  input.train.labels.forEach((label, i) => label >= 0 && labelled.push(i));
  const random = new SeededRandom(LDS_SEED);
  const count = Math.max(1, Math.round(0.5 * labelled.length));
  const kept = Array.from({ length: subsets }, () => random.sample(labelled, count));
  const predict = (influence: Float64Array) => kept.map((rows) => rows.reduce((sum, i) => sum + influence[i], 0));
  predict(headInfluence).forEach((value, s) => {
    if (Math.abs(value - reference.predicted[s]) > 1e-9 * (1 + Math.abs(value))) throw new Error('LDS subsets drifted from attribution/lds.ts');
  });
  return (influence) => spearman(predict(influence), reference.actual);
}

export async function evaluatePlantedFullModel(caseDir: string, options: PlantedFullModelOptions = {}): Promise<PlantedFullModelEvaluation> {
  const { truth, ruleText, context, rule, labels, input, l2 } = await loadPlantedCase(caseDir);
  try {
    const { data, prepared, featurizer, checkpoint } = context;
    const head = prepared.head!; // loadPlantedCase refuses a model without one
    const covered = Array.from(input.policy.coveredProbes);
    const poison = new Set(truth.poison_lines);
    const isPoison = data.train.map((example) => poison.has(example.line));
    const k = Math.max(1, poison.size);
    const subsets = options.ldsSubsets ?? 20;
    // Head-only by effect (−Δstrength = influence plus a constant: the same order and LDS). The audit now lists
    // head-only lines by relative influence (bench rows planted.*.exact), which this comparison does not use.
    const headScores = scoreTrainingLines(input, { l2, preconditioner: 'exact' });
    const headInfluence = headScores.influence;
    const lds = subsets > 0 ? sharedLds(input, headInfluence, l2, subsets) : undefined;
    const fullLds = await loadFullRetrainLds(caseDir, data.train, data.probes, covered);
    const ranked = (values: Float64Array): RankingScores => {
      const support = Array.from(values);
      return {
        auc: poison.size > 0 ? rocAuc(support, isPoison) : null,
        precisionAtK: poison.size > 0 ? precisionAtK(support, isPoison, k) : null,
        poisonShareInTop10Percent: poison.size > 0 ? shareInTopFraction(support, isPoison, 0.1) : null,
      };
    };
    const score = (influence: Float64Array): PlantedScores => ({
      ...ranked(influence),
      lds: lds ? lds(influence) : null,
      ldsFullRetraining: fullLds ? fullLds.score(influence) : null,
    });
    const headOnly = score(headInfluence);
    const headOnlyRelative = ranked(headScores.relativeInfluence);

    const modelBytes = await fs.readFile(checkpoint.modelPath);
    const projection = options.projection === undefined ? DEFAULT_PLANTED_PROJECTION : options.projection;
    const fullModel: FullModelPlantedRun[] = [];
    for (const variant of options.variants ?? DEFAULT_VARIANTS) {
      const started = performance.now();
      const result = await attributePolicyFullModel({
        modelBytes,
        featurizer,
        train: data.train,
        trainLabels: labels,
        probes: data.probes,
        coveredProbes: covered,
        actionClass: rule.actionIndex,
        headParams: [head.weightSource, ...(head.biasSource ? [head.biasSource] : [])],
        projection,
        preconditioner: variant.preconditioner,
        ...(variant.fisher && { fisher: variant.fisher }),
        ...(variant.damping !== undefined && { damping: variant.damping }),
        batchSize: options.batchSize ?? 256,
      });
      const seconds = (performance.now() - started) / 1000;
      const poisonSum = (values: Float64Array) => (poison.size > 0 ? values.reduce((sum, v, i) => sum + (isPoison[i] ? v : 0), 0) : null);
      const absolute = (values: Float64Array) => values.reduce((sum, v) => sum + Math.abs(v), 0);
      const featureAbs = absolute(result.featurePathway);
      fullModel.push({
        variant: variantName(variant),
        preconditioner: variant.preconditioner,
        ...score(result.influence),
        ldsFullRetrainingMinusHeadOnly: fullLds ? fullLds.compare(result.influence, headInfluence) : null,
        headOnlyPlusFeaturePathway: fullLds ? headOnlyPlusFeaturePathway(headInfluence, result.featurePathway, fullLds) : null,
        relative: ranked(result.relativeInfluence),
        poisonOutputPathway: poisonSum(result.outputPathway),
        poisonFeaturePathway: poisonSum(result.featurePathway),
        featurePathwayShare: featureAbs / Math.max(Number.MIN_VALUE, featureAbs + absolute(result.outputPathway)),
        proponentOutputShare: outputShare(pathwaySplit(result.outputPathway, result.featurePathway, proponentOrder(result).slice(0, k))),
        damping: result.damping ?? null,
        method: result.method,
        seconds,
      });
    }
    return {
      case: truth.case,
      rule: ruleText,
      poisonCount: poison.size,
      trainLines: data.train.length,
      coveredProbes: covered.length,
      headOnly,
      headOnlyRelative,
      fullModel,
      ldsFullRetrainingTarget: fullLds?.target ?? null,
      fullRetrainingNoiseToSignal: fullLds?.noiseToSignal ?? null,
      fullRetrainingLdsCeiling: fullLds ? ldsCeiling(fullLds.noiseToSignal) : null,
      poisonIndicatorLdsFullRetraining: fullLds && poison.size > 0 ? fullLds.score(Float64Array.from(isPoison, Number)) : null,
      ldsTarget: `Spearman between Σ influence over ${subsets} random 50% subsets (seed ${LDS_SEED}) and the policy strength after retraining the head only (exact, l2 = ${l2})`,
    };
  } finally {
    await context.forward.dispose();
  }
}
