import * as assert from 'node:assert/strict';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { createFeaturizer } from '../../../extension/engine/featurize/createFeaturizer';
import { example } from './exampleFactory';

describe('featurize: numeric columns and raw strings', () => {
  it('numeric: Example.numeric → float32 [n, d]', async () => {
    const featurizer = await createFeaturizer({ kind: 'numeric', inputName: 'float_input' }, '/');
    const feeds = featurizer.encode([example('', { numeric: [0.5, 1] }), example('', { numeric: [2, -3.25] })]);
    assert.equal(feeds.float_input.type, 'float32');
    assert.deepEqual(feeds.float_input.dims, [2, 2]);
    assert.deepEqual(Array.from(feeds.float_input.data as Float32Array), [0.5, 1, 2, -3.25]);
  });

  it('numeric: a missing or non-numeric value is an error naming file:line and the column', async () => {
    const featurizer = await createFeaturizer({ kind: 'numeric', inputName: 'x', columns: ['idf_free', 'idf_win'] }, '/');
    assert.throws(
      () => featurizer.encode([example('', { numeric: [1, 2] }), example('', { numeric: [1, NaN], file: '/data/t.csv', line: 12 })]),
      (e: unknown) => e instanceof PolicyTraceError && e.message.startsWith('/data/t.csv:12, field fields.numeric: column "idf_win" is missing or not a number'),
    );
    assert.throws(() => featurizer.encode([example('', { line: 3 })]), /x\.jsonl:3.*no numeric columns/);
    assert.throws(() => featurizer.encode([example('', { numeric: [1, 2] }), example('', { numeric: [1], line: 4 })]), /x\.jsonl:4.*has 1 numeric columns, the model input x takes 2/);
  });

  it('strings: text → string tensor [n, 1], tokens are lower-cased words', async () => {
    const featurizer = await createFeaturizer({ kind: 'strings', inputName: 'text' }, '/');
    const feeds = featurizer.encode([example('Hello there'), example('FREE prize!!')]);
    assert.deepEqual(feeds.text, { type: 'string', dims: [2, 1], data: ['Hello there', 'FREE prize!!'] });
    assert.deepEqual(featurizer.tokens('FREE prize!!'), ['free', 'prize']);
  });
});
