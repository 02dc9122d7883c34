import { strict as assert } from 'node:assert';
import { seededRandom } from '../../../extension/engine/policy/random';
import { insertPhrase, removePhrase } from '../../../extension/engine/policy/textEdits';

describe('policy/textEdits', () => {
  it('removes every occurrence of a word, whatever its case and surrounding punctuation', () => {
    assert.equal(removePhrase('Get it FREE! free entry, no freedom', ['free']), 'Get it entry, no freedom');
    assert.equal(removePhrase('win a free  prize\nfree prize', ['free', 'prize']), 'win a ');
    assert.equal(removePhrase('nothing here', ['free']), 'nothing here');
  });

  it('inserts a phrase at a word boundary, keeping the rest of the text', () => {
    const random = seededRandom(3);
    for (let i = 0; i < 20; i++) {
      const edited = insertPhrase('call me\nlater', 'kindly', random);
      assert.equal(edited.replace('kindly', '').replace(/\s+/g, ' ').trim(), 'call me later');
      assert.match(edited, /(^|\s)kindly(\s|$)/);
    }
    assert.equal(insertPhrase('', 'kindly', random), 'kindly');
  });
});
