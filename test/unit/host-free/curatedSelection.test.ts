import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { selectCuratedRecords } from '../../../extension/host/curatedSelection';
import { collectLineFindings } from '../../../extension/shared/findings';
import { FIXTURE_DIR, loadFixtureReport } from './loadFixture';

describe('curated export selection', () => {
  const report = loadFixtureReport();
  const resolve = (file: string): string => path.resolve(FIXTURE_DIR, file);
  const findings = collectLineFindings(report, resolve, 3);
  const known = report.attribution!.flatMap((a) => [...a.proponents, ...a.opponents]).map((r) => ({ ...r, file: resolve(r.file) }));
  const workspace = path.join(FIXTURE_DIR, 'workspace');

  it('leaves out the top proponents of the chosen policies only, once per line, with byte ranges', () => {
    const { flagged } = selectCuratedRecords({ findings, policyIds: new Set(['r1']), exclusions: [], exclusionBase: workspace, knownRecords: known });
    const expected = report.attribution![0].proponents.slice(0, 3);
    assert.deepEqual(flagged.map((f) => f.line), expected.map((l) => l.line).sort((a, b) => a - b));
    const first = flagged.find((f) => f.line === expected[0].line)!;
    assert.deepEqual({ offset: first.byteOffset, length: first.byteLength }, { offset: expected[0].byteOffset, length: expected[0].byteLength });
    assert.match(first.reason, /top proponent 1 of P1/);
  });
  it('adds exclusion-list lines the report locates and reports the others', () => {
    const opponent = report.attribution![0].opponents[0];
    const { flagged, unresolvedExclusions } = selectCuratedRecords({
      findings,
      policyIds: new Set(),
      exclusions: [
        { file: 'train.jsonl', line: opponent.line, id: '', reason: 'manual' },
        { file: 'train.jsonl', line: 1_000_000, id: '', reason: 'no such record' },
      ],
      exclusionBase: workspace,
      knownRecords: known,
    });
    assert.deepEqual(flagged.map((f) => [f.line, f.byteOffset, f.reason]), [[opponent.line, opponent.byteOffset, 'in the exclusion list: manual']]);
    assert.deepEqual(unresolvedExclusions.map((e) => e.line), [1_000_000]);
  });
  it('merges reasons when a line is both flagged and excluded', () => {
    const top = report.attribution![0].proponents[0];
    const { flagged } = selectCuratedRecords({ findings, policyIds: new Set(['r1', 'r2']), exclusions: [{ file: 'train.jsonl', line: top.line, id: '', reason: 'x' }], exclusionBase: workspace, knownRecords: known });
    const line = flagged.filter((f) => f.line === top.line);
    assert.equal(line.length, 1);
    assert.match(line[0].reason, /P1 .*; in the exclusion list: x/);
  });
});
