import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { readDataset } from '../../../extension/engine/data/readDataset';
import type { ReadIssue } from '../../../extension/engine/data/example';
import { assertPointsAt, TempFiles } from './tempFiles';

/** The one issue reported for `line`, whose message must match `pattern`. */
function issueAt(issues: ReadIssue[], file: string, line: number, pattern: RegExp): void {
  const found = issues.filter((issue) => issue.line === line);
  assert.equal(found.length, 1, `one issue on line ${line}: ${JSON.stringify(issues)}`);
  assert.equal(found[0].file, file);
  assert.match(found[0].message, pattern);
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PolicyTraceError, `a PolicyTraceError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  });
}

describe('data: bad input is reported, never crashes, never loses a record silently', () => {
  const temp = new TempFiles();
  after(() => temp.dispose());

  it('JSONL: broken JSON, non-object JSON, missing text and missing label are each reported on their line', async () => {
    const lines = [
      '{"text": "ok one", "label": "a"}',
      '{"text": "broken", ',
      '[1, 2, 3]',
      '"just a string"',
      '{"label": "b"}',
      '{"text": "no label here"}',
      '{"text": {"nested": true}, "label": "c"}',
      '{"text": "ok two", "label": "d"}',
    ];
    const file = temp.write('bad.jsonl', lines.join('\n'));
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label' });
    assert.equal(summary.records, 8);
    assert.equal(summary.used, 3);
    assert.equal(summary.skipped, 5);
    issueAt(summary.issues, file, 2, /not valid JSON/);
    issueAt(summary.issues, file, 3, /JSON but an array, not an object/);
    issueAt(summary.issues, file, 4, /JSON but a string, not an object/);
    issueAt(summary.issues, file, 5, /missing text field "text"; skipped/);
    issueAt(summary.issues, file, 6, /missing label field "label" \(example kept without a label\)/);
    issueAt(summary.issues, file, 7, /text field "text" is an object/);
    assert.deepEqual(examples.map((e) => [e.line, e.label]), [
      [1, 'a'],
      [6, undefined],
      [8, 'd'],
    ]);
    assertPointsAt(examples[2], lines[7]);
  });

  it('a field path that no record has is one error naming the path and the fields that exist', async () => {
    const file = temp.write('fields.jsonl', '{"prompt": "x", "meta": {"source": "web"}}\n{"prompt": "y"}\n');
    await rejects(readDataset(file, { text: 'prompt', label: 'answer' }), /fields\.jsonl.*no record has the field "answer".*fields in the first record: prompt, meta\.source/);
    await rejects(readDataset(file, { text: 'txt' }), /no record has the field "txt" \(fields\.text\)/);
  });

  it('invalid UTF-8 is reported with file:line and kept with replacement characters; offsets stay exact', async () => {
    const file = temp.write('latin1.jsonl', Buffer.concat([Buffer.from('{"text": "ok"}\n{"text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]));
    const { examples, summary } = await readDataset(file, { text: 'text' });
    assert.equal(summary.used, 2);
    issueAt(summary.issues, file, 2, /invalid UTF-8 at byte 14 of the line/);
    assert.equal(examples[1].text, 'caf\uFFFD');
    assert.equal(examples[1].byteLength, 16, "the original byte, not the 3-byte replacement");
  });

  it('binary garbage and NUL bytes: "not a text dataset", naming the file', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const file = temp.write('model.jsonl', garbage);
    await rejects(readDataset(file, { text: 'text' }), new RegExp(`${escape(file)}: not a text dataset: NUL byte`));
  });

  it('a NUL byte far into the file skips only that line', async () => {
    const head = '{"text": "padding"}\n'.repeat(600); // > 8 KiB, past the binary sniff
    const file = temp.write('late_nul.jsonl', Buffer.concat([Buffer.from(head), Buffer.from('{"text": "a\u0000b"}\n{"text": "fine"}\n')]));
    const { summary } = await readDataset(file, { text: 'text' });
    assert.equal(summary.used, 601);
    issueAt(summary.issues, file, 601, /NUL byte/);
  });

  it('UTF-16 files (with or without BOM) are rejected with a clear message (not decoded)', async () => {
    const text = '{"text": "hello"}\n{"text": "world"}\n';
    const le = temp.write('utf16le.jsonl', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await rejects(readDataset(le, { text: 'text' }), /utf16le\.jsonl: is UTF-16 \(little-endian BOM\)\. PolicyTrace reads UTF-8/);
    const be = Buffer.from(text, 'utf16le').swap16();
    await rejects(readDataset(temp.write('utf16be.jsonl', Buffer.concat([Buffer.from([0xfe, 0xff]), be])), { text: 'text' }), /UTF-16 \(big-endian BOM\)/);
    await rejects(readDataset(temp.write('utf16_nobom.jsonl', Buffer.from(text, 'utf16le')), { text: 'text' }), /looks like UTF-16 without a BOM/);
  });

  it('an empty file gives zero examples and a clear message', async () => {
    const file = temp.write('empty.jsonl', '');
    const { examples, summary } = await readDataset(file, { text: 'text' });
    assert.equal(examples.length, 0);
    assert.equal(summary.records, 0);
    issueAt(summary.issues, file, 1, /the file is empty/);
    const blank = temp.write('blank.csv', '\n\n');
    issueAt((await readDataset(blank, { text: 'text' })).summary.issues, blank, 1, /no records/);
  });

  it('a 10 MB single line is reported with file:line and its size, and skipped; the lines around it are read', async () => {
    const big = `{"text": "${'x'.repeat(10 * 1024 * 1024)}"}`;
    const file = temp.write('big.jsonl', `{"text": "before"}\n${big}\n{"text": "after"}\n`);
    const { examples, summary } = await readDataset(file, { text: 'text' });
    assert.deepEqual(examples.map((e) => e.text), ['before', 'after']);
    issueAt(summary.issues, file, 2, new RegExp(`record is ${Buffer.byteLength(big)} bytes, over maxRecordBytes \\(2097152\\)`));
    assertPointsAt(examples[1], '{"text": "after"}');
    const raised = await readDataset(file, { text: 'text' }, { maxRecordBytes: 11 * 1024 * 1024 });
    assert.equal(raised.summary.used, 3, 'a larger maxRecordBytes reads it');
  });

  it('CSV: a row with the wrong number of columns is reported and skipped', async () => {
    const file = temp.write('cols.csv', 'text,label\nfine,a\ntoo,many,columns\nshort\nalso fine,b\n');
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label' });
    assert.deepEqual(examples.map((e) => e.line), [2, 5]);
    issueAt(summary.issues, file, 3, /row has 3 columns but the header has 2 \(text, label\)/);
    issueAt(summary.issues, file, 4, /row has 1 columns/);
  });

  it('CSV: an unterminated quote at EOF is reported on the line that opened it; no line is lost', async () => {
    const file = temp.write('quote.csv', 'text,label\n"closed, fine",a\n"never closed,b\nnext line,c\n');
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label' });
    issueAt(summary.issues, file, 3, /unterminated quote opened on line 3: the file ends inside the quoted field/);
    assert.deepEqual(examples.map((e) => [e.line, e.text, e.label]), [
      [2, 'closed, fine', 'a'],
      [3, '"never closed', 'b'],
      [4, 'next line', 'c'],
    ]);
  });

  it('a missing file and a directory give clear errors naming the path', async () => {
    const missing = path.join(temp.dir, 'nope.jsonl');
    await rejects(readDataset(missing, { text: 'text' }), new RegExp(`${escape(missing)}: dataset file not found`));
    const dir = path.join(temp.dir, 'folder.jsonl');
    mkdirSync(dir);
    await rejects(readDataset(dir, { text: 'text' }), /folder\.jsonl: is a directory, not a dataset file/);
  });

  it('a JSON array in a .json file and an unknown extension are explained', async () => {
    await rejects(readDataset(temp.write('array.json', '[\n {"text": "a"}\n]\n'), { text: 'text' }), /one JSON array, not JSON lines/);
    await rejects(readDataset(temp.write('data.parquet', 'PAR1'), { text: 'text' }), /cannot tell the dataset format from the extension "\.parquet"/);
  });

  it('stores at most maxIssues issues but keeps counting', async () => {
    const file = temp.write('many.jsonl', 'not json\n'.repeat(500));
    const { summary } = await readDataset(file, { text: 'text' }, { maxIssues: 200 });
    assert.equal(summary.issues.length, 200);
    assert.equal(summary.issueCount, 500);
    assert.equal(summary.skipped, 500);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
