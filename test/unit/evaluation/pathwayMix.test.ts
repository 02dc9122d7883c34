/**
 * The head-only + feature-pathway mixes scored against full retraining: weight 0 is head-only exactly, and a
 * feature pathway that carries what head-only misses lifts LDS while one that carries noise lowers it.
 */
import * as assert from 'node:assert/strict';
import { compareLds } from '../../../extension/engine/evaluation/fullRetrainLds';
import { headOnlyPlusFeaturePathway, ldsCeiling } from '../../../extension/engine/evaluation/pathwayMix';
import { spearman } from '../../../extension/engine/attribution/metrics';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

/** A retraining truth over random halves of `lines` lines whose strength is Σ over the kept lines of `effect`. */
function syntheticTruth(effect: Float64Array, subsets: number, seed: number) {
  const random = new SeededRandom(seed);
  const kept = Array.from({ length: subsets }, () => random.sample(Array.from(effect.keys()), effect.length / 2));
  const actual = kept.map((rows) => rows.reduce((sum, i) => sum + effect[i], 0));
  const predict = (influence: Float64Array) => kept.map((rows) => rows.reduce((sum, i) => sum + influence[i], 0));
  return {
    score: (influence: Float64Array) => spearman(predict(influence), actual),
    compare: (a: Float64Array, b: Float64Array) => compareLds(predict(a), predict(b), actual, 500),
  };
}

describe('head-only plus feature pathway against full retraining', () => {
  const lines = 200;
  const random = new SeededRandom(3);
  const headPart = Float64Array.from({ length: lines }, () => random.normal());
  const featurePart = Float64Array.from({ length: lines }, () => random.normal());
  const truth = syntheticTruth(headPart.map((v, i) => v + featurePart[i]), 80, 5);

  it('weight 0 is head-only, with a zero difference', () => {
    const [mix] = headOnlyPlusFeaturePathway(headPart, featurePart, truth, [0]);
    assert.equal(mix.ldsFullRetraining, truth.score(headPart));
    assert.deepEqual([mix.minusHeadOnly.difference, mix.minusHeadOnly.low, mix.minusHeadOnly.high], [0, 0, 0]);
  });

  it('a feature pathway the retraining confirms lifts LDS, with an interval above zero', () => {
    const [mix] = headOnlyPlusFeaturePathway(headPart, featurePart, truth, [1]);
    assert.ok(mix.ldsFullRetraining > 0.95, `LDS ${mix.ldsFullRetraining}`);
    assert.ok(mix.minusHeadOnly.low > 0, `difference ${JSON.stringify(mix.minusHeadOnly)}`);
  });

  it('a feature pathway of noise lowers LDS as its weight grows', () => {
    const noise = Float64Array.from({ length: lines }, () => 3 * random.normal());
    const mixes = headOnlyPlusFeaturePathway(headPart, noise, truth);
    assert.deepEqual(mixes.map((m) => m.weight), [0.1, 0.3, 1]);
    assert.ok(mixes[2].ldsFullRetraining < mixes[0].ldsFullRetraining);
    assert.ok(mixes[2].minusHeadOnly.high < 0, `difference ${JSON.stringify(mixes[2].minusHeadOnly)}`);
  });

  it('refuses scores for a different number of lines', () => {
    assert.throws(() => headOnlyPlusFeaturePathway(headPart, featurePart.subarray(1), truth), /200 head-only scores for 199/);
  });

  it('puts the LDS ceiling at √(1 − r²) of the seed noise over the subsets’ spread', () => {
    assert.equal(ldsCeiling(0), 1);
    assert.ok(Math.abs(ldsCeiling(0.6) - 0.8) < 1e-12);
    assert.equal(ldsCeiling(1.5), 0);
  });
});
