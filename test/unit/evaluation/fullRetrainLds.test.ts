/** The full-retraining LDS truth: bitmask decoding and the checks that keep a mismatched file from scoring. */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareLds, keptLines, loadFullRetrainLds } from '../../../extension/engine/evaluation/fullRetrainLds';
import type { Example } from '../../../extension/engine/data/example';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

const example = (line: number): Example => ({ id: String(line), file: 'f.jsonl', line, endLine: line, byteOffset: 0, byteLength: 1, text: 't', record: {} });

describe('full-retraining LDS truth', () => {
  it('decodes little-endian bitmasks into 1-based line numbers', () => {
    assert.deepEqual(keptLines('0580', 16), [1, 3, 16]);
    assert.deepEqual(keptLines('ff01', 9), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('scores Spearman over the subsets with the covered probes’ mean margin, and refuses a file for other data', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-lds-'));
    try {
      const train = [1, 2, 3, 4].map(example);
      const probes = [1, 2, 3].map(example);
      const truth = {
        train_lines: 4,
        probe_lines: [2, 3],
        all_lines: [1, 1],
        seed_noise: [{ seed: 12, margins: [1.1, 0.9] }],
        // Subsets keep lines {1,2}, {3,4}, {1,4}; strength over probe line 3 = the second margin.
        subsets: [
          { kept: '03', margins: [0, 3] },
          { kept: '0c', margins: [0, 1] },
          { kept: '09', margins: [0, 2] },
        ],
      };
      await fs.writeFile(path.join(dir, 'full_retrain_lds.json'), JSON.stringify(truth));
      const lds = (await loadFullRetrainLds(dir, train, probes, [2]))!;
      assert.deepEqual(lds.actual, [3, 1, 2]);
      assert.equal(lds.score(Float64Array.from([3, 2, 1, 0])), 1); // predicted sums 5, 1, 3
      assert.equal(lds.score(Float64Array.from([0, 1, 2, 3])), -1); // predicted 1, 5, 3
      await assert.rejects(loadFullRetrainLds(dir, train, probes, [0]), /covered probe line 1 has no retrained margin/);
      await assert.rejects(loadFullRetrainLds(dir, train.slice(0, 3), probes, [2]), /made for 4 training lines, the case has 3/);
      assert.equal(await loadFullRetrainLds(path.join(dir, 'absent'), train, probes, [2]), null);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  describe('paired bootstrap of an LDS difference', () => {
    const random = new SeededRandom(5);
    const actual = Array.from({ length: 100 }, () => random.normal());
    const noisy = (noise: number) => actual.map((v) => v + noise * random.normal());

    it('is exactly zero for the same prediction', () => {
      const prediction = noisy(1);
      const result = compareLds(prediction, prediction, actual, 500);
      assert.deepEqual([result.difference, result.low, result.high], [0, 0, 0]);
      assert.equal(result.resamples, 500);
    });

    it('puts a clearly better prediction above zero and a clearly worse one below', () => {
      const good = noisy(0.3);
      const bad = noisy(3);
      const better = compareLds(good, bad, actual, 500);
      assert.ok(better.difference > 0.3 && better.low > 0, JSON.stringify(better));
      const worse = compareLds(bad, good, actual, 500);
      assert.ok(worse.high < 0 && Math.abs(worse.difference + better.difference) < 1e-12, JSON.stringify(worse));
    });

    it('straddles zero for two predictions with the same noise mirrored, and the interval contains the point estimate', () => {
      const noise = actual.map(() => random.normal());
      const result = compareLds(actual.map((v, i) => v + noise[i]), actual.map((v, i) => v - noise[i]), actual, 500);
      assert.ok(result.low < 0 && result.high > 0, JSON.stringify(result));
      assert.ok(result.low <= result.difference && result.difference <= result.high, JSON.stringify(result));
    });
  });
});
