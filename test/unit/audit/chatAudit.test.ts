/**
 * A chat audit as a user meets it: the same `runAudit` (and CLI) that audits classifiers, on a folder of
 * JSONL conversations and A/B probes. Bad records are reported by file and line and skipped, wrong specs fail
 * with a message naming the field, the report points every attributed conversation at its line, and nothing
 * of the user's is modified.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit } from '../../../extension/engine/audit/runAudit';
import type { AuditReport } from '../../../extension/engine/report/schema';

const repoRoot = path.resolve(__dirname, '../../../..');
const fixture = path.join(repoRoot, 'test/fixtures/chat/sycophancy');
const FILES = ['model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'train.jsonl', 'probes.jsonl', 'policytrace.json', 'ground_truth.json'];

async function digest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const file of FILES) hash.update(await fs.readFile(path.join(dir, file)));
  return hash.digest('hex');
}

describe('chat audit (runAudit on conversations and A/B probes)', function () {
  this.timeout(300_000);
  let dir: string;
  let report: AuditReport;
  let poison: Set<number>;
  let inputsDigest: string;
  let trainLines: number;

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-chat-'));
    for (const file of FILES) await fs.copyFile(path.join(fixture, file), path.join(dir, file));
    // Two bad records at the end: malformed JSON and a message with an unknown role.
    const train = path.join(dir, 'train.jsonl');
    trainLines = (await fs.readFile(train, 'utf8')).trimEnd().split('\n').length;
    await fs.appendFile(train, '{"messages": [{"role": "user", "content": "broken"\n{"messages": [{"role": "narrator", "content": "x"}, {"role": "assistant", "content": "y"}]}\n');
    poison = new Set((JSON.parse(await fs.readFile(path.join(dir, 'ground_truth.json'), 'utf8')) as { poison_lines: number[] }).poison_lines);
    inputsDigest = await digest(dir);
    report = await runAudit({ specPath: path.join(dir, 'policytrace.json') });
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('reports the bad records by file and line and audits the rest', () => {
    const train = report.datasets.find((d) => d.role === 'train')!;
    assert.equal(train.used, trainLines);
    assert.deepEqual(train.issues.map((i) => i.line), [trainLines + 1, trainLines + 2]);
    assert.ok(train.issues.every((i) => i.file.endsWith('train.jsonl')));
    assert.match(train.issues[1].message, /narrator/);
  });

  it('finds the sycophancy policy and points its proponents at the planted conversations’ lines', () => {
    const hypothesis = report.policies!.policies.find((p) => p.origin === 'hypothesis')!;
    assert.equal(hypothesis.rule, 'concept("states_opinion") -> sycophantic');
    assert.equal(hypothesis.metrics.precision, 1);
    const attribution = report.attribution!.find((a) => a.policyId === hypothesis.id)!;
    assert.equal(attribution.proponents.length, 20);
    for (const line of attribution.proponents) {
      assert.ok(line.file.endsWith('train.jsonl'));
      assert.ok(poison.has(line.line), `line ${line.line} is not a planted conversation`);
    }
    assert.equal(attribution.groupVerification?.verified, true, attribution.groupVerification?.verdict);
    assert.match(attribution.concentration.summary, /conversations/);
    for (const scale of Object.values(attribution.scales)) assert.ok(scale && scale.explanation.endsWith('.'));
  });

  it('leaves every input file byte-for-byte unchanged', async () => {
    assert.equal(await digest(dir), inputsDigest);
  });

  it('says which field is wrong when the spec cannot describe a chat audit', async () => {
    const spec = JSON.parse(await fs.readFile(path.join(dir, 'policytrace.json'), 'utf8')) as Record<string, unknown>;
    const wrongFeaturizer = path.join(dir, 'wrong-featurizer.json');
    await fs.writeFile(wrongFeaturizer, JSON.stringify({ ...spec, featurizer: { kind: 'numeric' } }));
    await assert.rejects(runAudit({ specPath: wrongFeaturizer }), /featurizer\.kind|hfTokenizer/);
    const noProbes = path.join(dir, 'no-probes.json');
    const { probe: _probe, ...withoutProbe } = spec;
    await fs.writeFile(noProbes, JSON.stringify(withoutProbe));
    await assert.rejects(runAudit({ specPath: noProbes }), /A\/B items.*"probe"/);
  });

  it('runs from the CLI as well: the same policies, attributed lines in the JSON report', () => {
    const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin/policytrace.js'), 'hypothesis', 'concept("states_opinion") -> sycophantic', '--spec', path.join(fixture, 'policytrace.json'), '--no-verify', '--no-cache', '--json'], {
      encoding: 'utf8',
      timeout: 240_000,
    });
    assert.equal(result.status, 0, result.stderr);
    const cliReport = JSON.parse(result.stdout) as AuditReport;
    const top = cliReport.attribution![0].proponents[0];
    assert.ok(poison.has(top.line) && top.file.endsWith('train.jsonl'), JSON.stringify(top));
  });
});
