/**
 * The real SMS spam MLP (../shared/external): its recorded probabilities on the real test split
 * (test/fixtures/policy/sms-test-probs.json, made by make-sms-probs.js) and its real training split.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Example } from '../../../extension/engine/data/example';
import { extractPolicies, formatPolicyTable } from '../../../extension/engine/policy';
import { decisionsOf } from '../../../extension/engine/policy/behaviour';

const ROOT = path.resolve(__dirname, '../../../..');
const DATA = path.resolve(ROOT, '../shared/external/models/sms_spam_embedding_mlp/sms_spam_with_split.jsonl');
const FIXTURE = path.join(ROOT, 'test/fixtures/policy/sms-test-probs.json');

interface SmsRow {
  row: number;
  text: string;
  label: string;
  split: string;
}

const words = (text: string) => text.toLowerCase().split(/\s+/u).filter(Boolean);

describe('policy on the real SMS spam model', function () {
  this.timeout(20000);
  let rows: SmsRow[] = [];

  before(function () {
    if (!fs.existsSync(DATA)) {
      console.log(`    (skipped: ${DATA} is not present)`);
      this.skip();
    }
    rows = fs.readFileSync(DATA, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as SmsRow);
  });

  it('extracts the digits rule that mimics the model on held-out probes', () => {
    const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { classes: string[]; rows: number[]; probs: number[] };
    const toExample = (row: SmsRow): Example => ({
      id: `sms:${row.row}`,
      file: DATA,
      line: row.row + 1,
      endLine: row.row + 1,
      byteOffset: 0,
      byteLength: 0,
      text: row.text,
      label: row.label,
      split: row.split,
      record: { ...row },
    });
    const probes = fixture.rows.map((r) => toExample(rows[r]));
    const train = rows.filter((row) => row.split === 'train').map(toExample);
    const probs = Float32Array.from(fixture.probs);
    // The fixture is the real model: its test accuracy is the figure in external/README.md.
    const decisions = decisionsOf(probs, 2);
    const accuracy = probes.filter((e, i) => fixture.classes[decisions[i]] === e.label).length / probes.length;
    assert.ok(Math.abs(accuracy - 0.9776) < 5e-4, `accuracy ${accuracy}`);

    const set = extractPolicies(
      { examples: probes, probs, classes: fixture.classes, tokens: probes.map((e) => words(e.text)) },
      { examples: train, tokens: train.map((e) => words(e.text)) },
      { excludeFields: ['row'] },
    );
    console.log(formatPolicyTable(set).split('\n').slice(0, -1).map((line) => `      ${line}`).join('\n'));
    const digits = set.policies.find((p) => p.rule === 'digits >= 5 -> spam');
    assert.ok(digits, set.policies.map((p) => p.rule).join(' | '));
    assert.ok(digits.metrics.precision >= 0.85, `precision ${digits.metrics.precision}`);
    assert.ok((digits.metrics.trainLabelPrecision ?? 0) >= 0.85, `train ${digits.metrics.trainLabelPrecision}`);
    assert.ok(set.fidelity >= 0.95 && set.kappa >= 0.8, `fidelity ${set.fidelity}, kappa ${set.kappa}`);
  });
});
