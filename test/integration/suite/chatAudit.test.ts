/**
 * The chat audit inside the editor: Run Audit on a spec over JSONL conversations and A/B probes (a copy of the
 * tiny sycophancy benchmark placed in the test workspace), then jump from the policy's top conversation to
 * its line and find the CodeLens there.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PolicyTraceApi } from '../../../extension/extension';
import type { AuditResults } from '../../../extension/host/auditResults';
import { activateExtension, eventually, nextEvent, WORKSPACE_DIR } from './helpers';

const SOURCE = path.resolve(__dirname, '../../../../test/fixtures/chat/sycophancy');
const CHAT_DIR = path.join(WORKSPACE_DIR, 'chat-audit');
const CHAT_TRAIN = path.join(CHAT_DIR, 'train.jsonl');

describe('PolicyTrace: chat audit in the editor', function () {
  this.timeout(300_000);
  let api: PolicyTraceApi;
  let results: AuditResults | undefined;

  before(async () => {
    fs.rmSync(CHAT_DIR, { recursive: true, force: true });
    fs.mkdirSync(CHAT_DIR, { recursive: true });
    for (const file of ['model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'train.jsonl', 'probes.jsonl', 'ground_truth.json']) {
      fs.copyFileSync(path.join(SOURCE, file), path.join(CHAT_DIR, file));
    }
    const spec = JSON.parse(fs.readFileSync(path.join(SOURCE, 'policytrace.json'), 'utf8')) as Record<string, unknown>;
    delete spec.$schema;
    fs.writeFileSync(path.join(CHAT_DIR, 'policytrace.json'), JSON.stringify({ ...spec, options: { verify: false } }, null, 2));
    api = await activateExtension();
    results = await vscode.commands.executeCommand<AuditResults | undefined>('policytrace.runAudit', vscode.Uri.file(path.join(CHAT_DIR, 'policytrace.json')));
  });
  after(() => fs.rmSync(CHAT_DIR, { recursive: true, force: true }));

  it('audits the conversations and names the sycophancy policy', () => {
    assert.ok(results, 'the chat audit produced results (see the PolicyTrace log if not)');
    const rules = results.report.policies!.policies.map((p) => p.rule);
    assert.ok(rules.includes('concept("states_opinion") -> sycophantic'), rules.join(' | '));
  });

  it('jumps from the top conversation to its line in train.jsonl, where a CodeLens names the policy', async () => {
    const poison = new Set((JSON.parse(fs.readFileSync(path.join(CHAT_DIR, 'ground_truth.json'), 'utf8')) as { poison_lines: number[] }).poison_lines);
    const policy = results!.report.policies!.policies.find((p) => p.origin === 'hypothesis')!;
    const top = results!.report.attribution!.find((a) => a.policyId === policy.id)!.proponents[0];
    assert.equal(top.file, CHAT_TRAIN);
    assert.ok(poison.has(top.line), `line ${top.line} is a planted conversation`);
    const opened = nextEvent(api.panel.onDidOpenSource, 10_000);
    await api.panel.receive({ type: 'openSource', file: top.file, line: top.line, endLine: top.endLine });
    const editor = await opened;
    assert.equal(editor.document.uri.fsPath, CHAT_TRAIN);
    assert.equal(editor.selection.start.line, top.line - 1);
    assert.match(editor.document.lineAt(top.line - 1).text, /You are right/);
    const lenses = await eventually(async () => {
      const found = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri);
      return found.some((lens) => lens.range.start.line === top.line - 1) ? found : undefined;
    }, 15_000, 'a CodeLens on the top conversation');
    assert.ok(lenses.length > 0);
  });
});
