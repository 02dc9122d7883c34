import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { collectLineFindings, groupFindingsByFile, groupFindingsByLine, heatLevels } from '../../../extension/shared/findings';
import { diagnosticText, hoverMarkdown, lensTitle } from '../../../extension/shared/lensText';
import { FIXTURE_DIR, loadFixtureReport } from './loadFixture';

const resolve = (file: string): string => path.resolve(FIXTURE_DIR, file);

describe('line findings and CodeLens text', () => {
  const report = loadFixtureReport();
  const findings = collectLineFindings(report, resolve, 3);

  it('takes the top-k proponents and opponents of each attributed policy', () => {
    // r1: 3 proponents + 3 opponents; r2: 3 proponents, no opponents; the hypothesis has no attribution.
    assert.equal(findings.length, 9);
    assert.deepEqual([...new Set(findings.map((f) => f.policyLabel))], ['P1', 'P2']);
    assert.ok(findings.every((f) => f.file === path.join(FIXTURE_DIR, 'workspace', 'train.jsonl')));
  });
  it('builds the CodeLens title with arrow, label, rule and signed Δ adherence', () => {
    const first = findings.find((f) => f.policyLabel === 'P1' && f.role === 'proponent' && f.rank === 1)!;
    assert.equal(lensTitle(first), "▲ P1 'contains(\"free\") → spam': removing this line −0.015 adherence");
    const opponent = findings.find((f) => f.role === 'opponent' && f.rank === 2)!;
    assert.equal(lensTitle(opponent), "▼ P1 'contains(\"free\") → spam': removing this line +0.005 adherence");
  });
  it('shows hostile rule text visibly and bounded in a lens', () => {
    const hostile = { ...findings[0], rule: `contains("\u202Eevil<script>${'y'.repeat(200)}") -> spam` };
    const title = lensTitle(hostile);
    assert.match(title, /⟨U\+202E⟩evil<script>/);
    assert.ok(title.length < 140, title);
  });
  it('groups by file and line, sorted by line', () => {
    const byFile = groupFindingsByFile(findings);
    assert.equal(byFile.size, 1);
    const lines = [...byFile.values()][0].map((f) => f.line.line);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    const byLine = groupFindingsByLine([...byFile.values()][0]);
    assert.ok([...byLine.values()].every((list) => list.every((f) => f.line.line === list[0].line.line)));
  });
  it('scales heat by the largest |Δ strength| in the file', () => {
    const levels = heatLevels(findings);
    assert.equal(Math.max(...levels.values()), 1);
    assert.ok([...levels.values()].every((v) => v >= 0 && v <= 1));
  });
  it('writes a hover with units and the scale explanation, escaped', () => {
    const markdown = hoverMarkdown([{ ...findings[0], line: { ...findings[0].line, label: '<img src=x onerror=alert(1)>' } }]);
    assert.match(markdown, /Δ adherence if removed: \*\*−0\.015\*\*/);
    assert.match(markdown, /share of covered probes/);
    assert.match(markdown, /&lt;img src=x onerror=alert\\\(1\\\)&gt;/);
    assert.doesNotMatch(markdown, /<img/);
  });
  it('gives one diagnostic text per line: PT001 warning for a verified extracted policy, none for opponents only', () => {
    const proponent = findings.filter((f) => f.policyLabel === 'P1' && f.role === 'proponent' && f.rank === 1);
    assert.deepEqual(diagnosticText(proponent)?.code, 'PT001');
    assert.equal(diagnosticText(proponent)?.level, 'warning');
    assert.equal(diagnosticText(findings.filter((f) => f.role === 'opponent')), undefined);
    const hypothesis = proponent.map((f) => ({ ...f, origin: 'hypothesis' as const, verified: false }));
    assert.deepEqual({ code: diagnosticText(hypothesis)?.code, level: diagnosticText(hypothesis)?.level }, { code: 'PT002', level: 'information' });
  });
});
