import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Example } from '../../../extension/engine/data/example';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { exportCuratedCopy, exportWeightedJsonl, type FlaggedRecord } from '../../../extension/engine/export';

/** Byte range of the record that starts on 1-based line `line` and spans `lines` lines (terminator excluded). */
function recordAt(file: string, line: number, lines = 1, reason = 'flagged'): FlaggedRecord {
  const text = fs.readFileSync(file, 'latin1');
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  let end = offset;
  for (let l = 0; l < lines; l++) end = text.indexOf('\n', end) + 1 || text.length + 1;
  end -= 1;
  if (text[end - 1] === '\r') end -= 1;
  return { file, line, id: `${path.basename(file)}:${line}`, byteOffset: offset, byteLength: end - offset, reason };
}

describe('export/curated copy', () => {
  let root: string;
  let data: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-export-'));
    data = path.join(root, 'data');
    fs.mkdirSync(data);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('removes flagged CSV records (CRLF, quoted newlines, header kept) byte-exactly and leaves the source untouched', () => {
    const csv = path.join(data, 'train.csv');
    const source = Buffer.from(
      '\ufeffClass,Message\r\nham,"hello"\r\nspam,"win\r\na prize"\r\nham,ok\r\nspam,"free, now"\r\nham,last',
      'utf8',
    );
    fs.writeFileSync(csv, source);
    const flagged = [recordAt(csv, 3, 2, 'top supporter of P1'), recordAt(csv, 6, 1)];
    const result = exportCuratedCopy({ outDir: path.join(root, 'curated'), flagged });
    assert.equal(result.files.length, 1);
    assert.equal(result.files[0].flagged, 2);
    assert.equal(
      fs.readFileSync(result.files[0].output, 'utf8'),
      '\ufeffClass,Message\r\nham,"hello"\r\nham,ok\r\nham,last',
    );
    assert.ok(fs.readFileSync(csv).equals(source), 'the source bytes are unchanged');
    const exclusions = JSON.parse(fs.readFileSync(result.exclusionsPath, 'utf8'));
    assert.deepEqual(exclusions[0], { file: csv, line: 3, id: 'train.csv:3', reason: 'top supporter of P1' });
    assert.equal(exclusions.length, 2);
  });

  it('handles the last record without a terminator and copies unflagged files whole, mirroring folders', () => {
    const a = path.join(data, 'a', 'train.jsonl');
    const b = path.join(data, 'b', 'train.jsonl');
    fs.mkdirSync(path.dirname(a));
    fs.mkdirSync(path.dirname(b));
    fs.writeFileSync(a, '{"t":1}\n{"t":2}\n{"t":3}');
    fs.writeFileSync(b, '{"u":1}\n');
    const result = exportCuratedCopy({ outDir: path.join(root, 'out'), flagged: [recordAt(a, 3)], files: [b] });
    const outputs = Object.fromEntries(result.files.map((f) => [path.relative(result.outDir, f.output), fs.readFileSync(f.output, 'utf8')]));
    assert.deepEqual(outputs, { [path.join('a', 'train.jsonl')]: '{"t":1}\n{"t":2}\n', [path.join('b', 'train.jsonl')]: '{"u":1}\n' });
  });

  it('refuses to write over an input file or inside one', () => {
    const file = path.join(data, 'train.jsonl');
    fs.writeFileSync(file, '{"t":1}\n{"t":2}\n');
    const before = fs.readFileSync(file);
    assert.throws(() => exportCuratedCopy({ outDir: data, flagged: [recordAt(file, 1)] }), /would overwrite the input file/);
    assert.throws(() => exportCuratedCopy({ outDir: path.join(file, 'x'), flagged: [recordAt(file, 1)] }), /inside\) an input file/);
    assert.ok(fs.readFileSync(file).equals(before));
  });

  it('a record that no longer matches the file is a PolicyTraceError naming file:line, and nothing is written', () => {
    const file = path.join(data, 'train.jsonl');
    fs.writeFileSync(file, '{"t":1}\n{"t":2}\n');
    const stale = { ...recordAt(file, 2), byteOffset: 3 };
    const outDir = path.join(root, 'out');
    assert.throws(() => exportCuratedCopy({ outDir, flagged: [stale] }), (error: unknown) => {
      return error instanceof PolicyTraceError && error.message.startsWith(`${file}:2: record at byte 3 does not start a line`);
    });
    assert.ok(!fs.existsSync(path.join(outDir, 'train.jsonl')));
  });

  it('writes a weighted JSONL copy (flagged weight 0) from CSV and JSONL sources', () => {
    const csv = path.join(data, 'train.csv');
    fs.writeFileSync(csv, 'label,text\nham,hi\nspam,win\n');
    const example = (line: number, record: Record<string, unknown>): Example => ({
      id: `train.csv:${line}`, file: csv, line, endLine: line, byteOffset: 0, byteLength: 0, text: String(record.text), record,
    });
    const examples = [example(2, { label: 'ham', text: 'hi' }), example(3, { label: 'spam', text: 'win' })];
    const flagged = [recordAt(csv, 3)];
    const result = exportWeightedJsonl({ outDir: path.join(root, 'w'), examples, flagged });
    assert.equal(path.basename(result.files[0].output), 'train.jsonl');
    assert.equal(
      fs.readFileSync(result.files[0].output, 'utf8'),
      '{"label":"ham","text":"hi","weight":1}\n{"label":"spam","text":"win","weight":0}\n',
    );
    assert.throws(
      () => exportWeightedJsonl({ outDir: path.join(root, 'w2'), examples, flagged, weightField: 'label' }),
      /train\.csv:2: record already has a "label" field/,
    );
  });
});
