import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { createFeaturizer } from '../../../extension/engine/featurize/createFeaturizer';
import { example } from './exampleFactory';

const EXTERNAL = path.resolve(__dirname, '../../../../../shared/external');
const SMS = path.join(EXTERNAL, 'models/sms_spam_embedding_mlp');
const SENTIMENT = path.join(EXTERNAL, 'models/tiny_sentiment_6ex');

describe('featurize: word vocabulary', () => {
  it('encodes the SMS example exactly as the README preprocessing says (ids looked up by hand in vocab.json)', async () => {
    const featurizer = await createFeaturizer({ kind: 'wordVocab', vocab: 'vocab.json', length: 100 }, SMS);
    const feeds = featurizer.encode([example('Free entry to win a prize call now'), example('unheardofword OK')]);
    const input = feeds.input;
    assert.equal(input.type, 'int64');
    assert.deepEqual(input.dims, [2, 100]);
    const ids = Array.from(input.data as BigInt64Array, Number);
    // grep '"free"\|"entry"\|...' vocab.json: free 57, entry 472, to 2, win 178, a 4, prize 236, call 16, now 49.
    assert.deepEqual(ids.slice(0, 8), [57, 472, 2, 178, 4, 236, 16, 49]);
    assert.ok(ids.slice(8, 100).every((id) => id === 0), 'padded with 0 at the end');
    assert.equal(ids[100], 0, 'unknown word → 0');
    assert.equal(ids[101], 78, '"ok" (id 78 in vocab.json) after lower-casing');
    assert.deepEqual(featurizer.tokens('Free ENTRY  now'), ['free', 'entry', 'now']);
  });

  it('keeps the first L ids, takes length and pad id from the model input or the vocab meta, and int32 on request', async () => {
    const inputs = [{ name: 'tokens', isTensor: true, type: 'int64', shape: ['batch', 5] }];
    const fromModel = await createFeaturizer({ kind: 'wordVocab', vocab: 'sentiment1/vocab.json' }, { baseDir: SENTIMENT, inputs });
    const feeds = fromModel.encode([example('I love this and this is great too')]);
    assert.deepEqual(Object.keys(feeds), ['tokens']);
    assert.deepEqual(Array.from(feeds.tokens.data as BigInt64Array, Number), [1, 2, 3, 0, 3]);
    const fromMeta = await createFeaturizer({ kind: 'wordVocab', vocab: 'simple_text_classification0/vocab.json', dtype: 'int32', inputName: 'tokens' }, SENTIMENT);
    const meta = fromMeta.encode([example('Happy with the result')]).tokens;
    assert.equal(meta.type, 'int32');
    assert.deepEqual(Array.from(meta.data as Int32Array), [6, 7, 8, 9, 0]);
  });

  // Punctuation is deleted before splitting, like Python's str.translate(..., string.punctuation).
  it('options: no lower-casing, punctuation stripping, a split pattern, unknown and pad ids', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'policytrace-vocab-'));
    try {
      writeFileSync(path.join(dir, 'v.json'), JSON.stringify({ Hello: 1, world: 2 }));
      const featurizer = await createFeaturizer(
        { kind: 'wordVocab', vocab: 'v.json', length: 4, lowercase: false, stripPunctuation: true, splitPattern: '[\\s,]+', unknownId: 9, padId: 7 },
        dir,
      );
      assert.deepEqual(Array.from(featurizer.encode([example('Hello, world! hello')]).input.data as BigInt64Array, Number), [1, 2, 9, 7]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects vocab files of the wrong shape, a missing file and an unknown input name with clear messages', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'policytrace-vocab-'));
    const expectError = async (content: string, pattern: RegExp) => {
      writeFileSync(path.join(dir, 'bad.json'), content);
      await assert.rejects(createFeaturizer({ kind: 'wordVocab', vocab: 'bad.json', length: 3 }, dir), (e: unknown) => e instanceof PolicyTraceError && pattern.test(e.message));
    };
    try {
      await expectError('["a", "b"]', /bad\.json: vocabulary file holds an array; expected a JSON object mapping words to integer ids/);
      await expectError('{"a": "one"}', /the id of "a" is "one", not a non-negative integer/);
      await expectError('{"a": 1.5}', /the id of "a" is 1\.5/);
      await expectError('{not json', /not valid JSON/);
      await assert.rejects(createFeaturizer({ kind: 'wordVocab', vocab: 'nope.json', length: 3 }, dir), /nope\.json: vocabulary file not found/);
      const inputs = [{ name: 'input', isTensor: true, type: 'int64', shape: ['batch', 100] }];
      await assert.rejects(
        createFeaturizer({ kind: 'wordVocab', vocab: path.join(SMS, 'vocab.json'), inputName: 'tokens' }, { baseDir: dir, inputs }),
        /the model has no input "tokens"; its inputs are input \(int64\)/,
      );
      await assert.rejects(createFeaturizer({ kind: 'wordVocab', vocab: path.join(SMS, 'vocab.json') }, dir), /sequence length is not known/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
