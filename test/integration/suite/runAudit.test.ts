/** The real engine, end to end inside the editor: Run Audit on the test workspace, and cancelling it. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PolicyTraceApi } from '../../../extension/extension';
import type { AuditResults } from '../../../extension/host/auditResults';
import { activateExtension, eventually, nextEvent, SPEC_FILE, TRAIN_FILE, WORKSPACE_DIR } from './helpers';

describe('PolicyTrace: Run Audit', function () {
  this.timeout(300_000);
  let api: PolicyTraceApi;

  before(async () => {
    api = await activateExtension();
  });

  it('cancelling stops the worker and keeps the previous results', async () => {
    const previous = api.results;
    const started = nextEvent(api.audits.onDidChangeProgress, 60_000, (p) => p.running);
    const running = vscode.commands.executeCommand<AuditResults | undefined>('policytrace.runAudit', vscode.Uri.file(SPEC_FILE));
    await started;
    assert.equal(api.audits.isRunning, true);
    const t0 = Date.now();
    await vscode.commands.executeCommand('policytrace.cancelAudit');
    assert.equal(await running, undefined, 'a cancelled audit yields no results');
    assert.ok(Date.now() - t0 < 2_000, 'cancel takes effect at once');
    assert.equal(api.audits.isRunning, false);
    let changed = false;
    const subscription = api.onDidChangeResults(() => (changed = true));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    subscription.dispose();
    assert.equal(changed, false, 'nothing arrives from the cancelled worker');
    assert.equal(api.results, previous);
  });

  it('produces results with policies and shows them in the panel', async () => {
    const renders: number[] = [];
    const subscription = api.panel.onDidRender((count) => renders.push(count));
    const results = await vscode.commands.executeCommand<AuditResults | undefined>('policytrace.runAudit', vscode.Uri.file(SPEC_FILE));
    assert.ok(results, 'the audit produced results (see the PolicyTrace log if not)');
    assert.equal(results.source, 'audit');
    assert.equal(results.stale, false);
    assert.ok((results.report.policies?.policies.length ?? 0) > 0, 'at least one policy was extracted');
    assert.ok(results.report.datasets.some((d) => d.role === 'train' && d.used > 0));
    const expected = Math.min(results.report.policies!.policies.length, 8);
    await eventually(() => (renders.at(-1) === expected ? true : undefined), 30_000, `the panel to render ${expected} policies`);
    subscription.dispose();
  });

  it('marks results stale and re-audits (debounced) when a training file changes', async () => {
    assert.ok(api.results && !api.results.stale, 'fresh results from the previous test');
    const stale = nextEvent(api.onDidChangeResults, 30_000, (r) => r?.stale === true);
    const fresh = nextEvent(api.onDidChangeResults, 180_000, (r) => r !== undefined && !r.stale && r.source === 'audit');
    const bytes = fs.readFileSync(TRAIN_FILE);
    fs.writeFileSync(TRAIN_FILE, bytes); // same content: a save that changes nothing still means "re-check"
    assert.match((await stale)?.staleReason ?? '', /train\.jsonl/);
    const rerun = await fresh;
    assert.ok((rerun?.report.policies?.policies.length ?? 0) > 0);
  });

  it('marks results stale when the checkpoint changes, without re-auditing', async () => {
    const stale = nextEvent(api.onDidChangeResults, 30_000, (r) => r?.stale === true);
    const model = path.join(WORKSPACE_DIR, 'network.onnx');
    fs.writeFileSync(model, fs.readFileSync(model));
    assert.match((await stale)?.staleReason ?? '', /checkpoint/);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    assert.equal(api.audits.isRunning, false, 'no audit was started for a checkpoint change');
    assert.equal(api.results?.stale, true);
  });
});
