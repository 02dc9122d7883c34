import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { createFeaturizer } from '../../../extension/engine/featurize/createFeaturizer';
import { example } from './exampleFactory';

// A tiny WordPiece tokenizer.json (test/fixtures/data/tiny-wordpiece, made by make_tokenizer.py there):
// [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 free=4 entry=5 to=6 win=7 a=8 prize=9 call=10 now=11 ##s=12 !=13
// i=14 love=15 this=16 great=17 ##ly=18; BERT normaliser (lower-case), template [CLS] $A [SEP].
const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/data/tiny-wordpiece');
const ints = (data: unknown) => Array.from(data as BigInt64Array, Number);

describe('featurize: Hugging Face tokenizer.json', () => {
  it('builds input_ids, attention_mask and token_type_ids, padded to maxLength', async () => {
    const featurizer = await createFeaturizer(
      { kind: 'hfTokenizer', tokenizer: 'tokenizer.json', maxLength: 8, inputNames: ['input_ids', 'attention_mask', 'token_type_ids'] },
      FIXTURE,
    );
    const feeds = featurizer.encode([example('I love this'), example('Free prizes, zebra!')]);
    assert.deepEqual(Object.keys(feeds), ['input_ids', 'attention_mask', 'token_type_ids']);
    assert.deepEqual(feeds.input_ids.dims, [2, 8]);
    assert.equal(feeds.input_ids.type, 'int64');
    assert.deepEqual(ints(feeds.input_ids.data), [2, 14, 15, 16, 3, 0, 0, 0, /* row 2 */ 2, 4, 9, 12, 1, 1, 13, 3]);
    assert.deepEqual(ints(feeds.attention_mask.data), [1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    assert.deepEqual(ints(feeds.token_type_ids.data), new Array(16).fill(0));
    assert.deepEqual(featurizer.tokens('Free prizes!'), ['free', 'prize', '##s', '!']);
  });

  it('truncates the content, not the special tokens: a cut sequence still ends with [SEP]', async () => {
    const featurizer = await createFeaturizer({ kind: 'hfTokenizer', tokenizer: 'tokenizer.json', maxLength: 5 }, FIXTURE);
    const feeds = featurizer.encode([example('free entry to win a prize call now')]);
    assert.deepEqual(Object.keys(feeds), ['input_ids', 'attention_mask']);
    assert.deepEqual(ints(feeds.input_ids.data), [2, 4, 5, 6, 3]);
  });

  it('takes input names and maxLength from the model inputs when the config does not say', async () => {
    const inputs = [
      { name: 'input_ids', isTensor: true, type: 'int64', shape: ['batch', 6] },
      { name: 'attention_mask', isTensor: true, type: 'int64', shape: ['batch', 6] },
    ];
    const featurizer = await createFeaturizer({ kind: 'hfTokenizer' }, { baseDir: FIXTURE, checkpoint: { tokenizerPath: path.join(FIXTURE, 'tokenizer.json') }, inputs });
    const feeds = featurizer.encode([example('call now')]);
    assert.deepEqual(feeds.input_ids.dims, [1, 6]);
    assert.deepEqual(ints(feeds.input_ids.data), [2, 10, 11, 3, 0, 0]);
  });

  it('rejects an input it cannot produce and a missing tokenizer file', async () => {
    await assert.rejects(
      createFeaturizer({ kind: 'hfTokenizer', tokenizer: 'tokenizer.json', inputNames: ['input_ids', 'pixel_values'] }, FIXTURE),
      (e: unknown) => e instanceof PolicyTraceError && /cannot feed input pixel_values/.test(e.message),
    );
    await assert.rejects(createFeaturizer({ kind: 'hfTokenizer', tokenizer: 'missing.json' }, FIXTURE), /missing\.json.*tokenizer\.json not found/);
  });
});
