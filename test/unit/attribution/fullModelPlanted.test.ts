/**
 * The issue's comparison on the planted trigger case: full-model attribution (all layers, LoGra 16×16, TRAK
 * over the concatenated projections with the true Fisher) against head-only attribution (exact head Hessian)
 * from the same run. Bounds are the measured values (see the report and `planted.trigger.full.*` bench rows):
 * full-model is at least as good on AUC, precision@k and top-10% share, by influence and by relative influence;
 * its LDS is lower than head-only's both against head retraining and against full retraining of every layer
 * (torch, 100 random halves, full_retrain_lds.json), and the test says so.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { evaluatePlantedFullModel } from '../../../extension/engine/evaluation/plantedFullModel';
import { AUDIT_FULL_MODEL_PRECONDITIONER } from '../../../extension/engine/audit/fullModelSections';

const TRIGGER = path.resolve(__dirname, '../../../../test/fixtures/planted/trigger');
const TRIGGER_SCRATCH = path.resolve(__dirname, '../../../../test/fixtures/planted/trigger-scratch');
const SYCOPHANCY = path.resolve(__dirname, '../../../../test/fixtures/planted/sycophancy');

describe('full-model attribution on the planted trigger case', function () {
  this.timeout(600000);

  it('TRAK (true Fisher) through all layers matches or beats head-only on AUC, precision@k and top-10% share', async () => {
    const result = await evaluatePlantedFullModel(TRIGGER, { variants: [{ preconditioner: 'trak', fisher: 'true' }], ldsSubsets: 20 });
    const [full] = result.fullModel;
    const head = result.headOnly;
    console.log(`      head-only: ${JSON.stringify(head)}`);
    console.log(`      full-model ${full.variant}: AUC ${full.auc}, P@k ${full.precisionAtK}, top-10% ${full.poisonShareInTop10Percent}, LDS ${full.lds}, feature share ${full.featurePathwayShare.toFixed(3)}, ${full.seconds.toFixed(1)} s`);
    assert.equal(result.poisonCount, 60);
    assert.ok(full.auc! >= head.auc!, `AUC ${full.auc} < head-only ${head.auc}`);
    assert.ok(full.precisionAtK! >= head.precisionAtK!, `precision@k ${full.precisionAtK} < head-only ${head.precisionAtK}`);
    assert.ok(full.poisonShareInTop10Percent! >= head.poisonShareInTop10Percent!);
    // Measured: head-only 0.973, full-model 0.881 against head retraining (the feature pathway alone scores ≈ 0
    // there, since retraining the head cannot realise what it predicts).
    assert.ok(full.lds! >= 0.85 && full.lds! < head.lds!, `LDS ${full.lds} vs head-only ${head.lds}`);
    assert.match(result.ldsTarget, /retraining the head only/);
    // Ordered by relative influence (the audit's order) both reach AUC 1 and precision@60 1 (measured).
    assert.equal(full.relative.auc, 1);
    assert.equal(full.relative.precisionAtK, 1);
    assert.equal(result.headOnlyRelative.precisionAtK, 1);
    // Against full retraining (every layer, torch): measured full-model 0.857, head-only 0.953. The rule lives in
    // the head here (the case is built by LP-FT so head-only retraining can remove it), and head-only wins.
    assert.match(result.ldsFullRetrainingTarget!, /retraining every layer/);
    assert.ok(full.ldsFullRetraining! >= 0.8 && full.ldsFullRetraining! < head.ldsFullRetraining!, `full-retraining LDS ${full.ldsFullRetraining} vs head-only ${head.ldsFullRetraining}`);
    assert.ok(head.ldsFullRetraining! > 0.9);
    // Retraining noise is small next to the subsets' spread (measured 0.15), so the LDS values are not noise.
    assert.ok(result.fullRetrainingNoiseToSignal! < 0.3, `noise/signal ${result.fullRetrainingNoiseToSignal}`);
    // The report's pathway split: the poison's influence goes through both the head and the earlier layers.
    assert.ok(full.poisonOutputPathway! > 0 && full.poisonFeaturePathway! > 0);
    assert.ok(full.featurePathwayShare > 0.1 && full.featurePathwayShare < 0.9, `feature share ${full.featurePathwayShare}`);
    assert.ok(full.damping! > 0);
    assert.match(full.method, /TRAK \(true Fisher/);
  });

  it('trained from scratch (the rule in the embedding), full-model attribution ranks the poison better than head-only', async () => {
    // The same trigger data, one-stage training: refitting only the head without the poison keeps adherence at 1.00,
    // full retraining without it drops to 0.03 (scripts/planted/make_trigger_scratch.py, ground_truth.json metrics).
    const result = await evaluatePlantedFullModel(TRIGGER_SCRATCH, { variants: [{ preconditioner: 'trak', fisher: 'true' }], ldsSubsets: 0 });
    const [full] = result.fullModel;
    console.log(`      head-only relative ${JSON.stringify(result.headOnlyRelative)}, LDS vs full retraining ${result.headOnly.ldsFullRetraining?.toFixed(3)}`);
    console.log(`      full-model ${full.variant} relative ${JSON.stringify(full.relative)}, LDS vs full retraining ${full.ldsFullRetraining?.toFixed(3)}, noise/signal ${result.fullRetrainingNoiseToSignal?.toFixed(3)}`);
    // Measured: full-model AUC 0.993, precision@60 0.67; head-only 0.973 / 0.52 (both by relative influence).
    assert.ok(full.relative.auc! > result.headOnlyRelative.auc!, `AUC ${full.relative.auc} vs head-only ${result.headOnlyRelative.auc}`);
    assert.ok(full.relative.precisionAtK! >= result.headOnlyRelative.precisionAtK! + 0.1, `precision@60 ${full.relative.precisionAtK} vs ${result.headOnlyRelative.precisionAtK}`);
    assert.ok(full.relative.auc! >= 0.98);
    // LDS against retraining from scratch is noisy (seed spread 0.32 of the subsets' spread) and low for both:
    // measured head-only 0.41, full-model 0.29. The test holds that both are positive and says which is higher.
    assert.ok(full.ldsFullRetraining! > 0.15 && result.headOnly.ldsFullRetraining! > full.ldsFullRetraining!);
  });

  it("the audit's variant (true-Fisher TRAK, λ = mean eigenvalue) against head-only on all three cases", async () => {
    const variants = [{ ...AUDIT_FULL_MODEL_PRECONDITIONER }];
    const trigger = await evaluatePlantedFullModel(TRIGGER, { variants, ldsSubsets: 0 });
    const scratch = await evaluatePlantedFullModel(TRIGGER_SCRATCH, { variants, ldsSubsets: 0 });
    const sycophancy = await evaluatePlantedFullModel(SYCOPHANCY, { variants, ldsSubsets: 0 });
    for (const result of [trigger, scratch, sycophancy]) {
      const [full] = result.fullModel;
      console.log(`      ${result.case}: relative ${JSON.stringify(full.relative)} vs head-only ${JSON.stringify(result.headOnlyRelative)}; LDS vs full retraining ${full.ldsFullRetraining?.toFixed(3)} vs ${result.headOnly.ldsFullRetraining?.toFixed(3)}`);
    }
    // Measured: trigger 1.000 / 1.00 (as head-only), LDS 0.896 vs 0.953; scratch 0.981 / 0.60 vs 0.973 / 0.52;
    // sycophancy LDS 0.499 vs 0.476, relative AUC 0.829 vs 0.851.
    assert.deepEqual([trigger.fullModel[0].relative.auc, trigger.fullModel[0].relative.precisionAtK], [1, 1]);
    assert.ok(trigger.fullModel[0].ldsFullRetraining! > 0.88 && trigger.fullModel[0].ldsFullRetraining! < trigger.headOnly.ldsFullRetraining!);
    assert.ok(scratch.fullModel[0].relative.auc! > scratch.headOnlyRelative.auc!);
    assert.ok(scratch.fullModel[0].relative.precisionAtK! > scratch.headOnlyRelative.precisionAtK!);
    assert.ok(sycophancy.fullModel[0].ldsFullRetraining! > sycophancy.headOnly.ldsFullRetraining!);
    assert.ok(sycophancy.fullModel[0].relative.auc! > 0.8 && sycophancy.fullModel[0].relative.auc! < sycophancy.headOnlyRelative.auc!);

    // Why the LDS of every full-model variant stays at or below head-only's: adding this run's feature pathway to
    // head-only influence, at a tenth, three tenths or all of its scale, never lifts LDS above head-only's interval
    // (measured differences: trigger +0.002, −0.004, −0.064; scratch −0.009, −0.015, −0.075; sycophancy ≤ −0.29:
    // the joint TRAK's feature pathway is large and offset by its output pathway there). The retrainings' seed noise
    // is not what stops it: the ceilings are 0.99, 0.95 and 0.96 against head-only's 0.95, 0.41 and 0.48.
    for (const result of [trigger, scratch, sycophancy]) {
      const mixes = result.fullModel[0].headOnlyPlusFeaturePathway!;
      console.log(`      ${result.case}: ceiling ${result.fullRetrainingLdsCeiling!.toFixed(3)}, poison indicator ${result.poisonIndicatorLdsFullRetraining!.toFixed(3)}, head-only + feature pathway ${mixes.map((m) => `×${m.weight} ${m.minusHeadOnly.difference.toFixed(3)} [${m.minusHeadOnly.low.toFixed(3)}, ${m.minusHeadOnly.high.toFixed(3)}]`).join(', ')}`);
      assert.deepEqual(mixes.map((m) => m.weight), [0.1, 0.3, 1]);
      for (const mix of mixes) assert.ok(mix.minusHeadOnly.low < 0, `${result.case} ×${mix.weight}: ${JSON.stringify(mix.minusHeadOnly)}`);
      assert.ok(result.fullRetrainingLdsCeiling! > 0.94 && result.fullRetrainingLdsCeiling! > result.headOnly.ldsFullRetraining!);
    }
    // The split the audit reports, over its top proponents (k = 60): the head's share is larger where the rule lives
    // in the head (LP-FT trigger, measured 0.56) than where it lives in the embedding (trained from scratch, 0.26).
    assert.ok(trigger.fullModel[0].proponentOutputShare > 0.45 && scratch.fullModel[0].proponentOutputShare < 0.35, `head share ${trigger.fullModel[0].proponentOutputShare} vs ${scratch.fullModel[0].proponentOutputShare}`);
    // A 0/1 indicator of the poison lines (measured 0.669, 0.465, 0.077) is below head-only on the LP-FT cases:
    // the retrained strength depends on far more than how much poison a half keeps.
    assert.ok(trigger.poisonIndicatorLdsFullRetraining! < trigger.headOnly.ldsFullRetraining!);
    assert.ok(sycophancy.poisonIndicatorLdsFullRetraining! < 0.2);
  });
});
