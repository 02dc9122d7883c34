/**
 * The forward cache: a re-audit reuses every unchanged record, editing one dataset line runs the model on
 * that line only, and a cache that disagrees with the model is detected and ignored (never trusted).
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAuditContext, type AuditContext } from '../../../extension/engine/audit/auditContext';
import { GradientCache } from '../../../extension/engine/cache/gradientCache';

/** Batches of other sizes may differ in the last float bits; nothing more. */
function assertClose(actual: Float32Array | undefined, expected: Float32Array | undefined): void {
  assert.ok(actual && expected && actual.length === expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  assert.ok(worst <= 1e-5, `max difference ${worst}`);
}

const trigger = path.resolve(__dirname, '../../../../test/fixtures/planted/trigger');

describe('forward cache', function () {
  this.timeout(120_000);
  let dir: string;
  let cacheDir: string;
  let records: number;
  let reference: Float32Array;

  async function forward(): Promise<AuditContext> {
    const context = await loadAuditContext({ specPath: path.join(dir, 'policytrace.json'), cacheDir });
    await context.forward.dispose();
    return context;
  }

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-cache-'));
    cacheDir = path.join(dir, 'cache');
    for (const file of ['policytrace.json', 'model.onnx', 'vocab.json', 'train.jsonl', 'probe.jsonl']) await fs.copyFile(path.join(trigger, file), path.join(dir, file));
    const uncached = await loadAuditContext({ specPath: path.join(dir, 'policytrace.json') });
    await uncached.forward.dispose();
    assert.equal(uncached.forward.cache, undefined);
    reference = uncached.forward.trainFeatures!;
    records = uncached.data.train.length + uncached.data.probes.length;
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('a first audit runs every record and fills the cache; the next reuses all but the one it re-checks', async () => {
    const first = await forward();
    assert.deepEqual([first.forward.cache!.hits, first.forward.cache!.misses], [0, records]);
    const second = await forward();
    assert.deepEqual([second.forward.cache!.hits, second.forward.cache!.misses], [records - 1, 1]);
    assertClose(second.forward.trainFeatures, reference);
    // The re-checked record keeps its stored row: a warm audit reproduces the cold one exactly.
    assert.deepEqual(Array.from(second.forward.trainFeatures!), Array.from(first.forward.trainFeatures!));
    assert.deepEqual(Array.from(second.forward.probeFeatures!), Array.from(first.forward.probeFeatures!));
  });

  it('editing one training line runs the model on that line only (plus the check)', async () => {
    const file = path.join(dir, 'train.jsonl');
    const lines = (await fs.readFile(file, 'utf8')).split('\n');
    const record = JSON.parse(lines[4]) as { text: string };
    lines[4] = JSON.stringify({ ...record, text: `${record.text} please` });
    await fs.writeFile(file, lines.join('\n'));
    const edited = await forward();
    assert.deepEqual([edited.forward.cache!.hits, edited.forward.cache!.misses], [records - 2, 2]);
    const fresh = await loadAuditContext({ specPath: path.join(dir, 'policytrace.json') });
    await fresh.forward.dispose();
    assertClose(edited.forward.trainFeatures, fresh.forward.trainFeatures);
    assertClose(edited.forward.trainProbs, fresh.forward.trainProbs);
  });

  it('a cache whose vectors disagree with the model is ignored with a warning, and the results stay right', async () => {
    const [folder] = await fs.readdir(cacheDir);
    const cache = GradientCache.open(cacheDir, folder);
    const index = JSON.parse(await fs.readFile(path.join(cacheDir, folder, 'index.json'), 'utf8')) as { hashes: string[]; dim: number };
    cache.putMany(index.hashes.map((recordHash) => ({ recordHash, vector: new Float32Array(index.dim).fill(0.5) })));
    cache.flush();
    const context = await forward();
    assert.equal(context.forward.cache!.hits, 0);
    assert.ok(context.warnings.some((w) => /forward cache .* disagreed with the model/.test(w)), context.warnings.join('\n'));
    const fresh = await loadAuditContext({ specPath: path.join(dir, 'policytrace.json') });
    await fresh.forward.dispose();
    assertClose(context.forward.trainFeatures, fresh.forward.trainFeatures);
  });
});
