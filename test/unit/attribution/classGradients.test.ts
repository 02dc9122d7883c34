/**
 * Per-class loss gradients: the gold-label Φ read off the class passes equals the gold-label pass, the true
 * Fisher rows are √p·g with p summing to one, and the on-disk cache returns the same numbers, recomputes only
 * edited lines, and ignores a cache that disagrees with the model.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAuditContext, type AuditContext } from '../../../extension/engine/audit/auditContext';
import { labelIds } from '../../../extension/engine/audit/classes';
import { openPerExampleGradients, dataInputNames, encodeFeeds, type PerExampleGradientModel } from '../../../extension/engine/attribution/fullModelGradients';
import { collectGradientMatrix } from '../../../extension/engine/attribution/fullModelMatrix';
import { cachedClassGradients, collectClassGradients, goldLabelMatrix, trueFisherMatrix } from '../../../extension/engine/attribution/classGradients';
import { attributePolicyFullModel } from '../../../extension/engine/attribution/fullModel';
import { GradientCache } from '../../../extension/engine/cache/gradientCache';
import { decodeModel } from '../../../extension/engine/model/onnxProto';
import type { Example } from '../../../extension/engine/data/example';

const CASE = path.resolve(__dirname, '../../../../test/fixtures/planted/trigger');
const PROJECTION = { kIn: 4, kOut: 4, seed: 1 };

describe('per-class loss gradients and their on-disk cache', function () {
  this.timeout(300000);
  let context: AuditContext;
  let loss: PerExampleGradientModel;
  let train: Example[];
  let labels: Int32Array;
  let modelBytes: Uint8Array;
  let dir: string;

  before(async () => {
    context = await loadAuditContext({ specPath: path.join(CASE, 'policytrace.json') });
    train = context.data.train.slice(0, 120);
    labels = labelIds(train, context.classes);
    labels[7] = -1; // one unlabelled line: a zero row in both matrices
    modelBytes = fs.readFileSync(context.checkpoint.modelPath);
    const model = decodeModel(modelBytes);
    loss = await openPerExampleGradients(model, 'crossEntropy', encodeFeeds(context.featurizer, train.slice(0, 4), dataInputNames(model)), PROJECTION, undefined);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-class-gradients-'));
  });

  after(async () => {
    await loss?.session.release();
    await context?.forward.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Φ read off the class passes equals the gold-label pass; true-Fisher rows are √p·g with Σp = 1', async () => {
    const classes = await collectClassGradients(loss, context.featurizer, train, 4, 32);
    const gold = await collectGradientMatrix(loss, context.featurizer, train, labels, 32);
    const derived = goldLabelMatrix(classes, labels);
    assert.deepEqual(Array.from(derived.labelled), Array.from(gold.labelled));
    assert.equal(derived.exampleCount, 119);
    for (let k = 0; k < gold.data.length; k++) assert.ok(Math.abs(derived.data[k] - gold.data[k]) <= 1e-6 * (1 + Math.abs(gold.data[k])), `Φ[${k}]`);
    const fisher = trueFisherMatrix(classes, labels);
    assert.equal(fisher.rows, 120 * 4);
    for (let i = 0; i < train.length; i++) {
      const total = [0, 1, 2, 3].reduce((sum, c) => sum + Math.exp(classes.logProb[i * 4 + c]), 0);
      assert.ok(Math.abs(total - 1) < 1e-5, `Σp = ${total} on line ${i}`);
      for (let c = 0; c < 4; c++) {
        const row = (i * 4 + c) * classes.dim;
        const weight = i === 7 ? 0 : Math.sqrt(Math.exp(classes.logProb[i * 4 + c]));
        for (let k = 0; k < classes.dim; k += 7) assert.ok(Math.abs(fisher.data[row + k] - weight * classes.gradients[row + k]) <= 1e-6 * (1 + Math.abs(fisher.data[row + k])));
      }
    }
  });

  it('the cache gives the same gradients, then recomputes only the edited line', async () => {
    const options = { dir, modelBytes, projection: PROJECTION };
    const direct = await collectClassGradients(loss, context.featurizer, train, 4, 32);
    const first = await cachedClassGradients(loss, context.featurizer, train, 4, 32, options);
    assert.deepEqual([first.stats.hits, first.stats.misses], [0, 120]);
    assert.deepEqual(Array.from(first.classGradients.gradients), Array.from(direct.gradients));
    const second = await cachedClassGradients(loss, context.featurizer, train, 4, 32, options);
    assert.deepEqual([second.stats.hits, second.stats.misses, second.stats.warnings.length], [120, 0, 0]);
    assert.deepEqual(Array.from(second.classGradients.gradients), Array.from(direct.gradients));
    assert.deepEqual(Array.from(second.classGradients.logProb), Array.from(direct.logProb));
    const edited = train.map((example, i) => (i === 50 ? { ...example, text: `${example.text} kindly` } : example));
    const third = await cachedClassGradients(loss, context.featurizer, edited, 4, 32, options);
    assert.deepEqual([third.stats.hits, third.stats.misses], [119, 1]);
    // The edited line ran alone, not in a batch of 32: equal up to float32 rounding.
    const fresh = await collectClassGradients(loss, context.featurizer, edited, 4, 32);
    const scale = fresh.gradients.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    third.classGradients.gradients.forEach((v, k) => assert.ok(Math.abs(v - fresh.gradients[k]) <= 1e-6 * scale, `entry ${k}: ${v} vs ${fresh.gradients[k]}`));
    assert.notDeepEqual(Array.from(third.classGradients.gradients), Array.from(second.classGradients.gradients));
  });

  it('a cache that disagrees with the model is ignored with a warning, and the numbers stay right', async () => {
    const options = { dir: fs.mkdtempSync(path.join(dir, 'tampered-')), modelBytes, projection: PROJECTION };
    const first = await cachedClassGradients(loss, context.featurizer, train, 4, 32, options);
    const cache = GradientCache.open(options.dir, path.basename(first.stats.folder));
    assert.ok(cache.size >= 110, `${cache.size} distinct inputs cached`); // identical lines share one entry
    // Rewrite every stored vector, consistently (so the file's checksum holds): only the recheck can notice.
    const hashes = fs.readdirSync(first.stats.folder).includes('index.json') ? (JSON.parse(fs.readFileSync(path.join(first.stats.folder, 'index.json'), 'utf8')) as { hashes: string[] }).hashes : [];
    cache.putMany(hashes.map((recordHash) => ({ recordHash, vector: cache.get(recordHash)!.map((v) => v + 1) })));
    cache.flush();
    const second = await cachedClassGradients(loss, context.featurizer, train, 4, 32, options);
    assert.equal(second.stats.hits, 0);
    assert.match(second.stats.warnings.join('\n'), /disagreed with the model and was ignored/);
    // Recomputed in other batches than the first run: equal up to float32 rounding, and nothing of the +1 left.
    const scale = first.classGradients.gradients.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    second.classGradients.gradients.forEach((v, k) => assert.ok(Math.abs(v - first.classGradients.gradients[k]) <= 1e-6 * scale, `entry ${k}`));
    const third = await cachedClassGradients(loss, context.featurizer, train, 4, 32, options);
    assert.deepEqual([third.stats.hits, third.stats.warnings.length], [120, 0], 'the rebuilt cache is trusted again');
  });

  it('full-model attribution with the cache equals attribution without it, on a cold and a warm cache', async () => {
    const covered = context.data.probes.flatMap((p, i) => (p.text.toLowerCase().includes('kindly') ? [i] : []));
    const input = {
      modelBytes, featurizer: context.featurizer, train, trainLabels: labels, probes: context.data.probes, coveredProbes: covered, actionClass: 0,
      headParams: ['fc2.weight', 'fc2.bias'], preconditioner: 'trak' as const, fisher: 'true' as const, projection: PROJECTION, batchSize: 32,
    };
    const without = await attributePolicyFullModel(input);
    const cacheDir = fs.mkdtempSync(path.join(dir, 'audit-'));
    for (const run of ['cold', 'warm']) {
      const withCache = await attributePolicyFullModel({ ...input, cacheDir });
      assert.deepEqual(Array.from(withCache.influence), Array.from(without.influence), run);
      assert.deepEqual(Array.from(withCache.selfInfluence), Array.from(without.selfInfluence), run);
    }
  });
});
