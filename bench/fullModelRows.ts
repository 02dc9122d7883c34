/**
 * Issue 5 rows: full-model attribution (all layers through the ONNX backward graph, LoGra 16×16 projection) on
 * the planted cases, one row per preconditioner, each beside the head-only (exact Hessian) numbers of the same
 * run, ordered by influence and by relative influence. LDS against head retraining for both (20 random halves, seed
 * 7) and, where the case ships it, against full retraining by torch (100 halves): see evaluation/plantedFullModel.ts.
 */
import * as path from 'node:path';
import { evaluatePlantedFullModel } from '../extension/engine/evaluation/plantedFullModel';
import type { LdsDifference } from '../extension/engine/evaluation/fullRetrainLds';
import { round } from './forwardThroughput';
import type { BenchRow } from './row';

const rounded = (value: number | null, digits = 4) => (value === null ? null : round(value, digits));
const differenceText = (d: LdsDifference | null) => (d === null ? null : `${d.difference.toFixed(3)} [${d.low.toFixed(3)}, ${d.high.toFixed(3)}]`);

export async function fullModelRows(repoRoot: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const name of ['trigger', 'trigger-scratch', 'sycophancy', 'control']) {
    const result = await evaluatePlantedFullModel(path.join(repoRoot, 'test/fixtures/planted', name), { ldsSubsets: 20 });
    const head = result.headOnly;
    for (const run of result.fullModel) {
      rows.push({
        name: `planted.${name}.full.${run.variant}`,
        poison: result.poisonCount,
        coveredProbes: result.coveredProbes,
        auc: rounded(run.auc),
        headOnlyAuc: rounded(head.auc),
        precisionAtK: rounded(run.precisionAtK),
        headOnlyPrecisionAtK: rounded(head.precisionAtK),
        poisonShareTop10Percent: rounded(run.poisonShareInTop10Percent),
        headOnlyPoisonShareTop10Percent: rounded(head.poisonShareInTop10Percent),
        aucRelative: rounded(run.relative.auc),
        headOnlyAucRelative: rounded(result.headOnlyRelative.auc),
        precisionAtKRelative: rounded(run.relative.precisionAtK),
        headOnlyPrecisionAtKRelative: rounded(result.headOnlyRelative.precisionAtK),
        ldsVsHeadRetraining: rounded(run.lds),
        headOnlyLdsVsHeadRetraining: rounded(head.lds),
        ldsVsFullRetraining: rounded(run.ldsFullRetraining),
        headOnlyLdsVsFullRetraining: rounded(head.ldsFullRetraining),
        // Full minus head-only with its 95% paired-bootstrap interval over the retrained subsets.
        ldsVsFullRetrainingMinusHeadOnly: differenceText(run.ldsFullRetrainingMinusHeadOnly),
        fullRetrainingNoiseToSignal: rounded(result.fullRetrainingNoiseToSignal, 3),
        fullRetrainingLdsCeiling: rounded(result.fullRetrainingLdsCeiling, 3),
        poisonIndicatorLdsVsFullRetraining: rounded(result.poisonIndicatorLdsFullRetraining, 3),
        // Head-only + weight × this run's feature pathway: LDS vs full retraining, minus head-only's [95% interval].
        headOnlyPlusFeaturePathway: run.headOnlyPlusFeaturePathway?.map((mix) => `×${mix.weight}: ${mix.ldsFullRetraining.toFixed(3)} (${differenceText(mix.minusHeadOnly)})`).join('; ') ?? null,
        featurePathwayShare: round(run.featurePathwayShare, 3),
        proponentOutputShare: round(run.proponentOutputShare, 3),
        poisonOutputPathway: rounded(run.poisonOutputPathway, 2),
        poisonFeaturePathway: rounded(run.poisonFeaturePathway, 2),
        damping: run.damping === null ? null : Number(run.damping.toPrecision(4)),
        seconds: round(run.seconds, 1),
      });
    }
  }
  return rows;
}
