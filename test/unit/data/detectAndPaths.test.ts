import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { detectFields } from '../../../extension/engine/data/detectFields';
import { expandDataPaths, globToRegExp } from '../../../extension/engine/data/paths';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { EXTERNAL, TempFiles } from './tempFiles';

describe('data: detectFields and expandDataPaths', () => {
  const temp = new TempFiles();
  after(() => temp.dispose());

  it('detectFields lists JSONL fields (nested included) and a sample', async () => {
    const detected = await detectFields(path.join(EXTERNAL, 'datasets/alpaca_seed_tasks/seed_tasks.jsonl'), { sampleSize: 3 });
    assert.equal(detected.format, 'jsonl');
    assert.deepEqual(detected.fields, ['id', 'name', 'instruction', 'instances', 'instances[0].input', 'instances[0].output', 'is_classification']);
    assert.equal(detected.sample.length, 3);
    assert.equal(detected.sample[0].id, 'seed_task_0');
  });

  it('detectFields gives CSV headers, or $N for a header-less TSV', async () => {
    const banking = await detectFields(path.join(EXTERNAL, 'datasets/banking77/train.tsv'));
    assert.deepEqual(banking.fields, ['text', 'label']);
    assert.deepEqual(banking.header, ['text', 'label']);
    const toxicity = await detectFields(path.join(EXTERNAL, 'datasets/toxicity_wikipedia_detox_250/wikipedia-detox-250-line-data.tsv'));
    assert.deepEqual(toxicity.fields, ['$0', '$1']);
    assert.equal(toxicity.header, undefined);
  });

  it('expandDataPaths: *, **, ?, {a,b}; plain paths pass through; node_modules is skipped', async () => {
    for (const name of ['data/a.jsonl', 'data/b.jsonl', 'data/c.csv', 'data/deep/d.csv', 'data/deep/er/e.csv', 'node_modules/x/f.csv', 'g1.tsv']) {
      mkdirSync(path.dirname(path.join(temp.dir, name)), { recursive: true });
      temp.write(name, 'x');
    }
    const rel = async (patterns: string[]) => (await expandDataPaths(patterns, temp.dir)).map((p) => path.relative(temp.dir, p));
    assert.deepEqual(await rel(['data/*.jsonl']), ['data/a.jsonl', 'data/b.jsonl']);
    assert.deepEqual(await rel(['**/*.csv']), ['data/c.csv', 'data/deep/d.csv', 'data/deep/er/e.csv']);
    assert.deepEqual(await rel(['data/**/*.csv']), ['data/c.csv', 'data/deep/d.csv', 'data/deep/er/e.csv']);
    assert.deepEqual(await rel(['data/*.{jsonl,csv}', 'g?.tsv']), ['data/a.jsonl', 'data/b.jsonl', 'data/c.csv', 'g1.tsv']);
    assert.deepEqual(await rel(['data/a.jsonl', 'data/a.jsonl', 'missing.jsonl']), ['data/a.jsonl', 'missing.jsonl']);
    await assert.rejects(expandDataPaths(['nothing/*.jsonl'], temp.dir), (e: unknown) => e instanceof PolicyTraceError && /matches no file/.test(e.message));
  });

  it('globToRegExp keeps dots literal and * within one folder', () => {
    assert.ok(globToRegExp('*.csv').test('a.csv'));
    assert.ok(!globToRegExp('*.csv').test('axcsv'));
    assert.ok(!globToRegExp('*.csv').test('dir/a.csv'));
    assert.ok(globToRegExp('**/a.csv').test('a.csv'));
  });
});
