import * as assert from 'node:assert/strict';
import { concentration } from '../../../extension/engine/attribution/attribute';
import type { LineScores } from '../../../extension/engine/attribution/lineScores';

/** Just the fields concentration() reads. */
function scores(strength: number, adherence: number, deltaStrength: number[]): LineScores {
  return { trainCount: 100, measure: { strength, adherence }, deltaStrength: Float64Array.from(deltaStrength) } as unknown as LineScores;
}

describe('concentration: the share of a policy’s strength its top lines carry', () => {
  it('says what share the top-k are predicted to take away', () => {
    const c = concentration(scores(2, 0.9, [-0.5, -0.3, 0.1, 0]), [0, 1], 2);
    assert.equal(c.topShare, 0.4);
    assert.equal(c.uniformShare, 0.02);
    assert.equal(c.summary, "Removing the top 2 lines (2.0% of the training set) is predicted to take away 40% of the policy's strength (2.00 nats).");
  });

  it('says no small set carries it when the top lines take (almost) nothing away', () => {
    assert.match(concentration(scores(12.2, 1, [0.0015, 0.0015]), [0, 1], 2).summary, /take away none .*: no small set of lines carries it\.$/);
    assert.match(concentration(scores(12.2, 1, [-0.01, 0]), [0, 1], 2).summary, /take away under 1%/);
  });

  it('has no share at all for a policy the model does not follow', () => {
    const c = concentration(scores(-5.15, 0.01, [-1, -1]), [0, 1], 2);
    assert.equal(c.topShare, null);
    assert.match(c.summary, /does not follow this policy \(mean margin -5\.15 nats, adherence 1\.0%\)/);
  });
});
