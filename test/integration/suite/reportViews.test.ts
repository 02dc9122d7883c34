/**
 * The editor views for one report (the hand-made fixture, so these tests do not depend on the engine):
 * panel, openSource (and refusals), CodeLens, hover, Problems and quick fixes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PolicyTraceApi } from '../../../extension/extension';
import type { AuditReport } from '../../../extension/engine/report/schema';
import { activateExtension, eventually, FIXTURE_REPORT, nextEvent, TRAIN_FILE, WORKSPACE_DIR } from './helpers';

describe('PolicyTrace views of a report', function () {
  this.timeout(60_000);
  let api: PolicyTraceApi;
  let report: AuditReport;

  before(async () => {
    api = await activateExtension();
    report = JSON.parse(fs.readFileSync(FIXTURE_REPORT, 'utf8')) as AuditReport;
    const rendered = nextEvent(api.panel.onDidRender, 30_000, (count) => count > 0);
    const results = await vscode.commands.executeCommand('policytrace.openReport', vscode.Uri.file(FIXTURE_REPORT));
    assert.ok(results, 'the report was accepted');
    assert.equal(await rendered, 3, 'the panel rendered the three policies');
  });

  it('opens the clicked line at the record, selected and centred', async () => {
    const line = report.attribution![0].proponents[0];
    const opened = nextEvent(api.panel.onDidOpenSource, 10_000);
    await api.panel.receive({ type: 'openSource', file: TRAIN_FILE, line: line.line, endLine: line.endLine });
    const editor = await opened;
    assert.equal(editor.document.uri.fsPath, TRAIN_FILE);
    assert.equal(editor.selection.start.line, line.line - 1);
    assert.equal(editor.selection.end.line, line.endLine - 1);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, TRAIN_FILE);
  });

  for (const [name, file] of [
    ['an absolute path outside the workspace', '/etc/passwd'],
    ['a ".." traversal out of the workspace', `${WORKSPACE_DIR}/../fixture-report.json`],
    ['a relative path', 'train.jsonl'],
  ] as const) {
    it(`refuses ${name}`, async () => {
      const before = vscode.window.activeTextEditor?.document.uri.fsPath;
      const refused = nextEvent(api.panel.onDidRefuseMessage, 5_000);
      await api.panel.receive({ type: 'openSource', file, line: 1, endLine: 1 });
      assert.ok((await refused).length > 0);
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, before, 'no editor was opened');
    });
  }

  it('refuses a message of the wrong shape', async () => {
    const refused = nextEvent(api.panel.onDidRefuseMessage, 5_000);
    await api.panel.receive({ type: 'openSource', file: TRAIN_FILE, line: '1; rm -rf', endLine: 1 });
    assert.match(await refused, /line/);
  });

  it('shows CodeLens on the top lines of each policy', async () => {
    const uri = vscode.Uri.file(TRAIN_FILE);
    await vscode.window.showTextDocument(uri);
    const top = report.attribution![0].proponents[0];
    const lenses = await eventually(async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
      return found.some((lens) => lens.command?.title.startsWith('▲ P1')) ? found : undefined;
    }, 15_000, 'PolicyTrace CodeLens');
    const onTop = lenses.filter((lens) => lens.range.start.line === top.line - 1 && lens.command?.title.startsWith('▲ P1'));
    assert.equal(onTop.length, 1);
    assert.match(onTop[0].command!.title, /removing this line −0\.015 adherence/);
  });

  it('shows a hover with units on a flagged line', async () => {
    const top = report.attribution![0].proponents[0];
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', vscode.Uri.file(TRAIN_FILE), new vscode.Position(top.line - 1, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /Δ adherence if removed/);
  });

  it('puts one PolicyTrace diagnostic on each flagged line, with quick fixes', async () => {
    const uri = vscode.Uri.file(TRAIN_FILE);
    const diagnostics = await eventually(() => {
      const found = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PolicyTrace');
      return found.length > 0 ? found : undefined;
    }, 10_000, 'PolicyTrace diagnostics');
    const flagged = diagnostics.filter((d) => d.code === 'PT001');
    const lines = flagged.map((d) => d.range.start.line);
    assert.equal(new Set(lines).size, lines.length, 'one diagnostic per line');
    const top = report.attribution![0].proponents[0];
    const onTop = flagged.find((d) => d.range.start.line === top.line - 1);
    assert.ok(onTop, 'the top proponent of P1 is flagged');
    assert.equal(onTop.severity, vscode.DiagnosticSeverity.Warning, 'P1 is verified in the fixture');
    assert.ok(diagnostics.some((d) => d.code === 'PT100'), 'the skipped record is reported');
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, onTop.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.some((t) => /exclusion list/.test(t)), titles.join(' | '));
    assert.ok(titles.some((t) => /Show P1 in the policy panel/.test(t)), titles.join(' | '));
  });

  it('the exclusion quick fix writes the exclusion list, not the data', async () => {
    const before = fs.readFileSync(TRAIN_FILE);
    const top = report.attribution![0].proponents[0];
    const listUri = await vscode.commands.executeCommand<vscode.Uri>('policytrace.addToExclusions', TRAIN_FILE, top.line, top.id, 'test');
    assert.ok(listUri);
    const list = JSON.parse(fs.readFileSync(listUri.fsPath, 'utf8')) as { file: string; line: number }[];
    assert.ok(list.some((e) => e.file === 'train.jsonl' && e.line === top.line));
    assert.ok(before.equals(fs.readFileSync(TRAIN_FILE)), 'the training file is unchanged');
    fs.rmSync(path.dirname(listUri.fsPath), { recursive: true, force: true });
  });

  it('exports a curated copy without the flagged lines, leaving the data untouched', async () => {
    const before = fs.readFileSync(TRAIN_FILE);
    const outDir = path.join(WORKSPACE_DIR, '.policytrace-test-curated');
    fs.rmSync(outDir, { recursive: true, force: true });
    await vscode.commands.executeCommand('policytrace.exportCuratedDataset', vscode.Uri.file(outDir), ['r1']);
    const copy = fs.readFileSync(path.join(outDir, 'train.jsonl'), 'utf8').split('\n').filter(Boolean);
    const original = before.toString('utf8').split('\n').filter(Boolean);
    const topK = vscode.workspace.getConfiguration('policytrace').get<number>('topK', 10);
    const removed = report.attribution![0].proponents.slice(0, topK);
    assert.equal(copy.length, original.length - removed.length);
    const removedText = new Set(removed.map((l) => original[l.line - 1]));
    assert.ok(copy.every((line) => !removedText.has(line)));
    assert.ok(fs.existsSync(path.join(outDir, 'exclusions.json')));
    assert.ok(before.equals(fs.readFileSync(TRAIN_FILE)), 'the training file is unchanged');
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('exports the report as HTML with no live tag from data', async () => {
    const target = vscode.Uri.file(path.join(WORKSPACE_DIR, '.policytrace-test-report.html'));
    await vscode.commands.executeCommand('policytrace.exportReport', 'html', target);
    const html = fs.readFileSync(target.fsPath, 'utf8');
    assert.doesNotMatch(html, /<script|<img/i);
    fs.rmSync(target.fsPath);
  });
});
