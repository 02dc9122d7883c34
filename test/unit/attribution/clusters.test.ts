import * as assert from 'node:assert/strict';
import { clusterLines } from '../../../extension/engine/attribution/clusters';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

describe('clusters of similar training lines', () => {
  // Three directions in 4-d feature space, 30 noisy lines each, each group with its own words and label.
  const random = new SeededRandom(5);
  const directions = [
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 1],
  ];
  const words = [['refund', 'invoice'], ['password', 'login'], ['parcel', 'courier']];
  const labels = ['billing', 'account', 'shipping'];
  const features = new Float32Array(90 * 4);
  const tokens: string[][] = [];
  const lineLabels: string[] = [];
  for (let i = 0; i < 90; i++) {
    const group = i % 3;
    for (let j = 0; j < 4; j++) features[i * 4 + j] = directions[group][j] * (1 + random.next()) + 0.05 * random.normal();
    tokens.push(['please', 'help', ...words[group]]);
    lineLabels.push(labels[group]);
  }

  it('recovers well-separated groups and names them by label and distinctive words', () => {
    const { assignment, names } = clusterLines(features, 4, tokens, lineLabels, { k: 3, seed: 1 });
    for (let group = 0; group < 3; group++) {
      const members = new Set(Array.from({ length: 30 }, (_, m) => assignment[3 * m + group]));
      assert.equal(members.size, 1, `group ${group} split across clusters`);
    }
    assert.equal(new Set(assignment).size, 3);
    const billing = names[assignment[0]];
    assert.match(billing, /billing: invoice, refund/);
    assert.match(billing, /\(30 lines\)/);
    assert.ok(!billing.includes('please'), 'words every line has are not distinctive');
  });

  it('is deterministic for a seed', () => {
    const a = clusterLines(features, 4, tokens, lineLabels, { seed: 3 });
    const b = clusterLines(features, 4, tokens, lineLabels, { seed: 3 });
    assert.deepEqual(a, b);
  });
});
