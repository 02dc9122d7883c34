import { strict as assert } from 'node:assert';
import { actionMargin, agreement, cohenKappa, normalQuantile, wilsonLowerBound } from '../../../extension/engine/policy/statistics';

describe('policy/statistics', () => {
  it('computes Cohen kappa as worked out by hand', () => {
    // 10 rows; a has 4 ones, b has 5.
    const a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
    const b = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
    // They agree on rows 0, 1, 2 (both 1) and 6, 7, 8, 9 (both 0): p_o = 7/10.
    assert.equal(agreement(a, b), 0.7);
    // p_e = 0.4·0.5 + 0.6·0.5 = 0.5 → κ = (0.7 − 0.5)/(1 − 0.5) = 0.4
    assert.ok(Math.abs(cohenKappa(a, b, 2) - 0.4) < 1e-12);
  });

  it('gives kappa 0 for chance-level agreement and 1 for perfect agreement', () => {
    assert.equal(cohenKappa([0, 1, 0, 1], [0, 0, 1, 1], 2), 0);
    assert.equal(cohenKappa([0, 1, 2, 2], [0, 1, 2, 2], 3), 1);
    // Both labelings constant and equal: p_e = 1, agreement perfect.
    assert.equal(cohenKappa([1, 1, 1], [1, 1, 1], 2), 1);
  });

  it('computes a three-class kappa as worked out by hand', () => {
    const a = [0, 0, 1, 1, 2, 2];
    const b = [0, 1, 1, 1, 2, 0];
    // p_o = 4/6; marginals a = (2,2,2)/6, b = (2,3,1)/6 → p_e = (4 + 6 + 2)/36 = 1/3; κ = (2/3 − 1/3)/(2/3) = 0.5
    assert.ok(Math.abs(cohenKappa(a, b, 3) - 0.5) < 1e-12);
  });

  it('matches textbook values for the normal quantile and the Wilson bound', () => {
    assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-6);
    assert.ok(Math.abs(normalQuantile(0.5)) < 1e-12);
    assert.ok(Math.abs(normalQuantile(1e-6) + 4.753424) < 1e-5);
    // Wilson 95% interval for 9/10: [0.5958, 0.9821].
    assert.ok(Math.abs(wilsonLowerBound(9, 10, 1.959964) - 0.5958) < 1e-4);
    assert.equal(wilsonLowerBound(0, 0, 2), 0);
  });

  it('measures the policy margin in nats, finite for saturated probabilities', () => {
    assert.ok(Math.abs(actionMargin(0.5)) < 1e-12);
    assert.ok(Math.abs(actionMargin(0.9) - Math.log(9)) < 1e-9);
    assert.ok(Number.isFinite(actionMargin(1)) && actionMargin(1) > 15);
  });
});
