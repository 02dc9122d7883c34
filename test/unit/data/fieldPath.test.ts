import * as assert from 'node:assert/strict';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { listFieldPaths, parseFieldPath, resolveFieldPath } from '../../../extension/engine/data/fieldPath';
import { CompiledMapping } from '../../../extension/engine/data/fieldMapping';

const chat = {
  id: 7,
  meta: { source: 'forum', 'key.with.dots': 'dotted' },
  messages: [
    { role: 'system', content: 'be nice' },
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello!' },
  ],
  'a.b': 'flat key wins',
  a: { b: 'nested' },
};

const resolve = (path: string, columns?: string[]) => resolveFieldPath({ record: chat, columns }, path, parseFieldPath(path));

describe('data: field paths and mapping', () => {
  it('resolves keys, nested keys, positive and negative indexes, quoted keys and $N columns', () => {
    assert.equal(resolve('id'), 7);
    assert.equal(resolve('meta.source'), 'forum');
    assert.equal(resolve('messages[-1].content'), 'hello!');
    assert.equal(resolve('messages[0].role'), 'system');
    assert.equal(resolve('messages[5].role'), undefined);
    assert.equal(resolve('meta["key.with.dots"]'), 'dotted');
    assert.equal(resolve('a.b'), 'flat key wins', 'an exact key (a CSV header with a dot) is preferred');
    assert.equal(resolve('a["b"]'), 'nested');
    assert.equal(resolve('$1', ['x', 'y']), 'y');
    assert.equal(resolve('id.deeper'), undefined);
  });

  it('rejects malformed paths with a PolicyTraceError naming the path', () => {
    for (const bad of ['a..b', 'a[', 'a[x]', 'a.', '']) {
      assert.throws(() => parseFieldPath(bad), (e: unknown) => e instanceof PolicyTraceError && e.message.includes(`"${bad}"`), bad);
    }
  });

  it('lists nested paths for a picker, with first and last element of arrays of objects', () => {
    assert.deepEqual(listFieldPaths({ record: chat }), [
      'id',
      'meta.source',
      'meta["key.with.dots"]',
      'messages',
      'messages[0].role',
      'messages[0].content',
      'messages[-1].role',
      'messages[-1].content',
      '["a.b"]',
      'a.b',
    ]);
  });

  it('joins several text fields with a newline and stringifies labels', () => {
    const mapping = new CompiledMapping({ text: ['messages[0].content', 'messages[-1].content'], label: 'id', group: 'meta.source' });
    const fields = mapping.apply({ record: chat });
    assert.equal(fields.text, 'be nice\nhello!');
    assert.equal(fields.label, '7');
    assert.equal(fields.group, 'forum');
    assert.deepEqual(fields.warnings, []);
  });

  it('numeric fields parse strings and report non-numbers as NaN with a warning', () => {
    const mapping = new CompiledMapping({ text: 't', numeric: ['x', 'y', 'z'] });
    const fields = mapping.apply({ record: { t: '', x: '1.5', y: 2, z: 'n/a' } });
    assert.deepEqual(fields.numeric?.slice(0, 2), [1.5, 2]);
    assert.ok(Number.isNaN(fields.numeric?.[2]));
    assert.match(fields.warnings[0], /numeric field "z" is not a number \("n\/a"\)/);
  });
});
