/** The pathway split a report shows: over the listed proponents, with the all-lines sums beside it. */
import * as assert from 'node:assert/strict';
import { outputShare, pathwaySplit } from '../../../extension/engine/attribution/pathwaySplit';
import { proponentOrder } from '../../../extension/engine/attribution/proponentOrder';
import { describePathways } from '../../../extension/engine/report/pathwayText';

describe('pathway split', () => {
  // Lines 0–2 support the policy mostly through earlier layers; line 3 is a large-gradient outlier that opposes it
  // through the head and would decide an all-lines sum.
  const output = Float64Array.from([0.1, 0.2, 0.1, -500]);
  const feature = Float64Array.from([0.3, 0.4, 0.5, 10]);

  it('sums over the proponents given, and over every line separately', () => {
    const split = pathwaySplit(output, feature, [0, 1, 2]);
    assert.ok(Math.abs(split.output - 0.4) < 1e-12 && Math.abs(split.feature - 1.2) < 1e-12);
    assert.equal(split.proponents, 3);
    assert.deepEqual(split.allLines, { output: -499.6, feature: 11.2 });
    assert.ok(Math.abs(outputShare(split) - 0.25) < 1e-12);
    assert.ok(outputShare(split.allLines) > 0.97, 'the outlier decides the all-lines split');
  });

  it('gives an even share when both pathways are zero, and refuses mismatched arrays', () => {
    assert.equal(outputShare(pathwaySplit(new Float64Array(2), new Float64Array(2), [0, 1])), 0.5);
    assert.throws(() => pathwaySplit(output, feature.subarray(1), [0]), /4 output-pathway scores for 3/);
  });

  it('lists proponents by relative influence, positive influence only, ties by line', () => {
    const order = proponentOrder({ influence: Float64Array.from([1, -2, 3, 0.5, 0.5]), relativeInfluence: Float64Array.from([2, 9, 1, 2, 5]) });
    assert.deepEqual(order, [4, 0, 3, 2]);
  });

  it('describes the proponents first and the all-lines sums as set by the largest gradients', () => {
    const text = describePathways(pathwaySplit(output, feature, [0, 1, 2]), (v) => v.toFixed(1));
    assert.equal(
      text,
      'Through all layers, the 3 strongest proponents: output pathway (the head) 0.4 (25%), feature pathway (earlier layers) 1.2 (75%). Over every training line: output -499.6, feature 11.2 (sums the lines with the largest gradients decide).',
    );
    assert.equal(describePathways({ output: 3, feature: -1 }, (v) => v.toFixed(0)), 'Summed over every training line: output pathway (the head) 3 (75%), feature pathway (earlier layers) -1 (25%).');
    assert.equal(
      describePathways(pathwaySplit(output, feature, []), (v) => v.toFixed(1)),
      'No training line pushes the model toward the policy through all layers. Over every training line: output -499.6, feature 11.2 (sums the lines with the largest gradients decide).',
    );
  });
});
