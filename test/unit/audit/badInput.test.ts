/**
 * The bad-input corpus at the level a user meets it: a whole audit. Each case must end in a clear message
 * naming the file and line (or the op, node or input) — as a thrown error or as a dataset issue — and
 * never in a crash or a modified input file.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit } from '../../../extension/engine/audit/runAudit';
import type { AuditReport } from '../../../extension/engine/report/schema';

const sms = path.resolve(__dirname, '../../../../../shared/external/models/sms_spam_embedding_mlp');
const rf = path.resolve(__dirname, '../../../../../shared/external/models/sms_spam_rf_tfidf50');

interface Case {
  name: string;
  /** Files to write into the case folder (the spec points at `train.jsonl` unless overridden). */
  files?: Record<string, string | Buffer>;
  spec?: Record<string, unknown>;
  hypotheses?: string[];
  /** Expect a thrown error whose message matches all of these. */
  error?: RegExp[];
  /** Or expect the audit to finish and check the report. */
  check?: (report: AuditReport, dir: string) => void;
}

const goodLines = [
  { text: 'Free entry to win a prize call now', label: 'spam' },
  { text: 'Ok see you at home later', label: 'ham' },
  { text: 'URGENT! You have won a 1 week FREE membership', label: 'spam' },
  { text: 'Are you coming to dinner tonight', label: 'ham' },
];
const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function issuesOf(report: AuditReport): { file: string; line: number; message: string }[] {
  return report.datasets.flatMap((d) => d.issues);
}

const cases: Case[] = [
  {
    name: 'a broken JSON line is reported with its line and skipped',
    files: { 'train.jsonl': jsonl(goodLines.slice(0, 2)) + '{"text": "broken\n' + jsonl(goodLines.slice(2)) },
    check: (report) => {
      const issue = issuesOf(report).find((i) => i.line === 3);
      assert.ok(issue && issue.file.endsWith('train.jsonl'), JSON.stringify(issuesOf(report)));
      assert.equal(report.metrics[0].examples, 4);
    },
  },
  {
    name: 'a record without the text field is reported with its line',
    files: { 'train.jsonl': jsonl([...goodLines, { body: 'no text here', label: 'ham' }]) },
    check: (report) => assert.ok(issuesOf(report).some((i) => i.line === 5 && /text/.test(i.message))),
  },
  {
    name: 'a UTF-8 byte-order mark does not shift lines or break the first record',
    files: { 'train.jsonl': '\uFEFF' + jsonl(goodLines) },
    check: (report) => {
      assert.equal(issuesOf(report).length, 0);
      assert.equal(report.metrics[0].examples, 4);
    },
  },
  {
    name: 'CRLF line ends are read as plain lines',
    files: { 'train.jsonl': jsonl(goodLines).replace(/\n/g, '\r\n') },
    check: (report) => assert.equal(report.metrics[0].accuracy, 1),
  },
  { name: 'an empty dataset says so, naming the file', files: { 'train.jsonl': '' }, error: [/train\.jsonl/, /empty|no usable|no records/i] },
  {
    name: 'binary garbage is refused as not a text dataset',
    files: { 'train.jsonl': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3, 0, 0, 255, 254]) },
    error: [/train\.jsonl/, /binary|not a text/i],
  },
  {
    name: 'a 10 MB single line is reported with its line and size and skipped',
    files: { 'train.jsonl': jsonl(goodLines) + JSON.stringify({ text: 'x'.repeat(10 * 1024 * 1024), label: 'ham' }) + '\n' },
    check: (report) => assert.ok(issuesOf(report).some((i) => i.line === 5 && /MiB|bytes|too long|exceeds/i.test(i.message)), JSON.stringify(issuesOf(report))),
  },
  {
    name: 'a UTF-16 dataset is refused with a hint',
    files: { 'train.jsonl': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(jsonl(goodLines), 'utf16le')]) },
    error: [/train\.jsonl/, /UTF-16/],
  },
  { name: 'an unknown field path names the path and the file', spec: { fields: { text: 'message', label: 'label' } }, error: [/train\.jsonl/, /message/] },
  {
    name: 'labels that match no class are named in a warning',
    files: { 'train.jsonl': jsonl([...goodLines, { text: 'hello there', label: 'spma' }]) },
    check: (report) => assert.ok(report.warnings.some((w) => w.includes('"spma"')), report.warnings.join('\n')),
  },
  {
    name: 'a truncated .onnx file is refused, naming the file',
    files: { 'model.onnx': 'TRUNCATE' },
    spec: { checkpoint: 'model.onnx' },
    error: [/model\.onnx/, /truncated|not a valid|cannot be read|invalid/i],
  },
  {
    name: 'a JSON file renamed .onnx is refused, naming the file',
    files: { 'model.onnx': '{"not": "a model"}' },
    spec: { checkpoint: 'model.onnx' },
    error: [/model\.onnx/],
  },
  { name: 'a missing checkpoint names the path', spec: { checkpoint: 'nowhere/model.onnx' }, error: [/nowhere\/model\.onnx/] },
  {
    name: 'a vocab file that is not a word → id object is refused, naming it',
    files: { 'vocab.json': '["free", "win"]' },
    spec: { featurizer: { kind: 'wordVocab', vocab: 'vocab.json', length: 100 } },
    error: [/vocab\.json/],
  },
  {
    name: 'numeric columns of the wrong width for the model input name the line and both widths',
    spec: { featurizer: { kind: 'numeric', inputName: 'input' }, fields: { text: 'text', label: 'label', numeric: ['score'] } },
    files: { 'train.jsonl': jsonl(goodLines.map((l, i) => ({ ...l, score: i }))) },
    error: [/train\.jsonl:1/, /1 numeric columns/, /takes 100/],
  },
  {
    name: 'a string featurizer on a model that wants int64 ids names the input and both types',
    spec: { featurizer: { kind: 'strings', inputName: 'input' } },
    error: [/input/, /int64/, /string/],
  },
  {
    name: 'a hypothesis with a syntax error names its column',
    hypotheses: ['contains("free") spam'],
    error: [/col(umn)? \d+/, /->/],
  },
  {
    name: 'a hypothesis with an unknown action lists the classes',
    hypotheses: ['contains("free") -> spammy'],
    error: [/spammy/, /ham, spam/],
  },
  {
    name: 'a spec with a misspelt field names it',
    spec: { fields: { txt: 'text' } },
    error: [/policytrace\.json/, /txt/],
  },
];

async function runCase(testCase: Case): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'policytrace-bad-'));
  const files: Record<string, string | Buffer> = { 'train.jsonl': jsonl(goodLines), ...(testCase.files ?? {}) };
  if (files['model.onnx'] === 'TRUNCATE') {
    const real = await fs.readFile(path.join(sms, 'network.onnx'));
    files['model.onnx'] = real.subarray(0, Math.floor(real.length / 2));
  }
  for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(dir, name), content);
  const before = await snapshot(dir);
  const spec = {
    checkpoint: path.join(sms, 'network.onnx'),
    featurizer: { kind: 'wordVocab', vocab: path.join(sms, 'vocab.json'), length: 100 },
    train: ['train.jsonl'],
    probe: ['train.jsonl'],
    fields: { text: 'text', label: 'label' },
    labels: ['ham', 'spam'],
    options: { bootstrap: 0, verify: false },
    ...(testCase.spec ?? {}),
  };
  await fs.writeFile(path.join(dir, 'policytrace.json'), JSON.stringify(spec));
  const audit = runAudit({ specPath: path.join(dir, 'policytrace.json'), hypotheses: testCase.hypotheses ?? [], predictOnly: !testCase.hypotheses });
  if (testCase.error) {
    await assert.rejects(audit, (error: Error) => {
      for (const pattern of testCase.error!) assert.match(error.message, pattern);
      return true;
    });
  } else {
    testCase.check!(await audit, dir);
  }
  assert.deepEqual(await snapshot(dir), before, 'the audit must not modify the user’s files');
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of await fs.readdir(dir)) {
    if (name === 'policytrace.json') continue;
    result[name] = (await fs.readFile(path.join(dir, name))).toString('base64');
  }
  return result;
}

describe('bad input corpus (whole audits)', () => {
  for (const testCase of cases) {
    it(testCase.name, () => runCase(testCase));
  }

  it('the scikit-learn random forest (ZipMap output, numeric columns) reproduces its test accuracy 0.9514', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'policytrace-rf-'));
    const header = (await fs.readFile(path.join(rf, 'test_tfidf.csv'), 'utf8')).split('\n', 1)[0].split(',');
    const columns = header.filter((name) => name !== 'label');
    await fs.writeFile(
      path.join(dir, 'policytrace.json'),
      JSON.stringify({
        checkpoint: path.join(rf, 'model.onnx'),
        featurizer: { kind: 'numeric', inputName: 'float_input' },
        train: [path.join(rf, 'test_tfidf.csv')],
        probe: [path.join(rf, 'test_tfidf.csv')],
        fields: { text: columns[0], label: 'label', numeric: columns },
        labels: ['0', '1'],
      }),
    );
    const report = await runAudit({ specPath: path.join(dir, 'policytrace.json'), predictOnly: true });
    assert.equal(report.model.head, undefined);
    assert.match(report.model.headMissingReason ?? '', /TreeEnsemble/);
    assert.equal(report.metrics[0].examples, 1091);
    assert.equal(report.metrics[0].accuracy!.toFixed(4), '0.9514');
  });
});
