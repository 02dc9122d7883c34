import * as assert from 'node:assert/strict';
import { rocAuc, precisionAtK, spearman, shareInTopFraction, averageRanks } from '../../../extension/engine/attribution/metrics';

describe('attribution/metrics', () => {
  it('rocAuc counts correctly ordered pairs, ties as half', () => {
    assert.equal(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false]), 1);
    assert.equal(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false]), 0);
    // Pairs (pos, neg): (0.5, 0.5) tie = 0.5, (0.5, 0.1) = 1, (0.3, 0.5) = 0, (0.3, 0.1) = 1 ⇒ 2.5 / 4.
    assert.equal(rocAuc([0.5, 0.3, 0.5, 0.1], [true, true, false, false]), 0.625);
  });

  it('precisionAtK and shareInTopFraction', () => {
    const scores = [5, 4, 3, 2, 1, 0];
    const positives = [true, false, true, false, false, true];
    assert.equal(precisionAtK(scores, positives, 2), 0.5);
    assert.equal(precisionAtK(scores, positives, 3), 2 / 3);
    assert.equal(shareInTopFraction(scores, positives, 0.5), 2 / 3);
  });

  it('spearman uses average ranks', () => {
    assert.deepEqual(Array.from(averageRanks([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
    assert.ok(Math.abs(spearman([1, 2, 3, 4], [10, 20, 30, 40]) - 1) < 1e-12);
    assert.ok(Math.abs(spearman([1, 2, 3, 4], [4, 3, 2, 1]) + 1) < 1e-12);
    // scipy.stats.spearmanr([1,2,3,4,5],[2,1,4,3,5]).correlation = 0.8
    assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) - 0.8) < 1e-12);
  });
});
