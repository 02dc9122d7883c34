/**
 * The content-addressed cache: a second run after editing one line misses exactly once, and a damaged cache is
 * rebuilt, not trusted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GradientCache, cacheKey, hashRecord } from '../../../extension/engine/cache';

/** Stand-in featurizer: a deterministic vector per line (what a model run would produce). */
function featurize(line: string): Float32Array {
  return Float32Array.from({ length: 4 }, (_, j) => (line.charCodeAt(j % line.length) * (j + 1)) / 100);
}

/** One audit pass over the lines: cached vectors where the line's bytes are known, featurize the rest. */
function auditPass(dir: string, modelKey: string, lines: string[]): { vectors: Float32Array[]; cache: GradientCache } {
  const cache = GradientCache.open(dir, modelKey);
  const missing: { recordHash: string; vector: Float32Array }[] = [];
  const vectors = lines.map((line) => {
    const recordHash = hashRecord(line);
    const cached = cache.get(recordHash);
    if (cached) return cached;
    const vector = featurize(line);
    missing.push({ recordHash, vector });
    return vector;
  });
  cache.putMany(missing);
  cache.flush();
  return { vectors, cache };
}

describe('cache/GradientCache', () => {
  let dir: string;
  const modelKey = cacheKey('ab'.repeat(32), { featurizer: 'word-vocab', maxLength: 100 });
  const lines = ['free entry to win', 'see you at noon', 'call now for a prize', 'ok thanks'];
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-cache-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a second run after editing one line misses exactly once, with identical vectors', () => {
    const first = auditPass(dir, modelKey, lines);
    assert.deepEqual(first.cache.stats, { hits: 0, misses: 4, stored: 4 });
    const edited = [...lines];
    edited[2] = 'call now for a PRIZE';
    const second = auditPass(dir, modelKey, edited);
    assert.deepEqual(second.cache.stats, { hits: 3, misses: 1, stored: 1 });
    edited.forEach((line, i) => assert.deepEqual(Array.from(second.vectors[i]), Array.from(featurize(line))));
    assert.equal(auditPass(dir, modelKey, edited).cache.stats.misses, 0);
  });

  it('keys by model and featurizer config: another config shares nothing', () => {
    auditPass(dir, modelKey, lines);
    const other = cacheKey('ab'.repeat(32), { featurizer: 'word-vocab', maxLength: 50 });
    assert.notEqual(other, modelKey);
    assert.equal(cacheKey('ab'.repeat(32), { maxLength: 100, featurizer: 'word-vocab' }), modelKey, 'key order does not matter');
    assert.equal(auditPass(dir, other, lines).cache.stats.misses, 4);
  });

  it('a damaged vector file is detected on open and the cache is rebuilt', () => {
    auditPass(dir, modelKey, lines);
    const vectors = path.join(dir, modelKey, 'vectors.bin');
    const bytes = fs.readFileSync(vectors);
    bytes[5] ^= 0xff;
    fs.writeFileSync(vectors, bytes);
    const again = auditPass(dir, modelKey, lines);
    assert.equal(again.cache.stats.misses, 4);
    assert.match(again.cache.warnings[0], /unreadable and is rebuilt/);
    assert.equal(auditPass(dir, modelKey, lines).cache.stats.misses, 0);
  });

  it('refuses vectors of another length under the same key', () => {
    const cache = GradientCache.open(dir, modelKey);
    cache.putMany([{ recordHash: 'a', vector: new Float32Array(4) }]);
    assert.throws(() => cache.putMany([{ recordHash: 'b', vector: new Float32Array(3) }]), /have length 4, got 3/);
  });
});
