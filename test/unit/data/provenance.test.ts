import * as assert from 'node:assert/strict';
import { readDataset } from '../../../extension/engine/data/readDataset';
import { readPhysicalLines } from '../../../extension/engine/data/lineReader';
import { assertPointsAt, TempFiles } from './tempFiles';

describe('data: exact line and byte provenance', () => {
  const temp = new TempFiles();
  after(() => temp.dispose());

  const records = [
    '{"text": "héllo wörld", "label": "a"}',
    '{"text": "second — with an em dash 😀", "label": 1}',
    '{"text": "third", "label": true}',
  ];

  it('JSONL with a UTF-8 BOM, CRLF line ends and a blank line: lines, offsets and lengths are exact', async () => {
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${records[0]}\r\n${records[1]}\r\n\r\n${records[2]}\r\n`)]);
    const file = temp.write('crlf_bom.jsonl', content);
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label' });
    assert.equal(summary.records, 3);
    assert.equal(summary.used, 3);
    assert.deepEqual(summary.issues, []);
    assert.deepEqual(examples.map((e) => e.line), [1, 2, 4]);
    assert.equal(examples[0].byteOffset, 3, 'the BOM is skipped but still counted');
    examples.forEach((example, i) => assertPointsAt(example, records[i]));
    assert.deepEqual(examples.map((e) => e.label), ['a', '1', 'true'], 'labels are kept as strings');
    assert.equal(examples[1].text, 'second — with an em dash 😀');
    assert.equal(examples[0].id, 'crlf_bom.jsonl:1');
  });

  it('gives the same offsets whatever the read chunk size (records straddling chunk boundaries)', async () => {
    const file = temp.write('chunks.jsonl', `${records.join('\n')}\n`);
    const reference = (await readDataset(file, { text: 'text' })).examples;
    for (const chunkBytes of [1, 2, 3, 7, 64]) {
      const { examples } = await readDataset(file, { text: 'text' }, { chunkBytes });
      assert.deepEqual(
        examples.map((e) => [e.line, e.byteOffset, e.byteLength, e.text]),
        reference.map((e) => [e.line, e.byteOffset, e.byteLength, e.text]),
        `chunkBytes ${chunkBytes}`,
      );
    }
    reference.forEach((example, i) => assertPointsAt(example, records[i]));
  });

  it('reads a last line without a terminator, and a CRLF split across chunks', async () => {
    const file = temp.write('tail.txt', 'ab\r\ncd');
    const lines = [];
    for await (const line of readPhysicalLines(file, { start: 0, maxLineBytes: 100, chunkBytes: 3 })) lines.push(line);
    assert.deepEqual(
      lines.map((l) => [l.line, l.byteOffset, l.byteLength, l.bytes?.toString(), l.terminator]),
      [
        [1, 0, 2, 'ab', '\r\n'],
        [2, 4, 2, 'cd', ''],
      ],
    );
  });

  it('plain text: one example per non-empty line, mapped as text or $0', async () => {
    const file = temp.write('lines.txt', 'first line\n\n  \nsecond line\r\n');
    const { examples, summary } = await readDataset(file, { text: '$0' });
    assert.equal(summary.format, 'text');
    assert.deepEqual(examples.map((e) => [e.line, e.text]), [
      [1, 'first line'],
      [4, 'second line'],
    ]);
    assertPointsAt(examples[1], 'second line');
  });
});
