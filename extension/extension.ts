/**
 * Activation: build the context (log, audit service, views) once, register the command table and the
 * editor providers, and return a small API (used by the integration tests; other extensions may read
 * results through it too). A failure here is shown to the user instead of leaving a half-started extension.
 */
import * as vscode from 'vscode';
import { AuditClient, defaultAuditWorkerScript } from './engine/audit/AuditClient';
import type { AuditResults } from './host/auditResults';
import { AuditService } from './host/auditService';
import { registerCommands } from './host/commands';
import { PolicyCodeActions } from './host/editor/codeActions';
import { DATASET_SELECTOR, PolicyCodeLensProvider } from './host/editor/codeLens';
import { PolicyDiagnostics } from './host/editor/diagnostics';
import { FindingsStore } from './host/editor/findingsStore';
import { HeatDecorations } from './host/editor/heatDecorations';
import { PolicyHoverProvider } from './host/editor/hover';
import type { HostContext } from './host/hostContext';
import { PolicyPanel } from './host/panel/policyPanel';
import { ResultWatchers } from './host/resultWatchers';
import { trackSpecPresence } from './host/specPresence';
import { AuditStatusBar } from './host/statusBar';
import { PolicyTreeProvider } from './host/tree/policyTree';

export interface PolicyTraceApi {
  readonly results: AuditResults | undefined;
  readonly onDidChangeResults: vscode.Event<AuditResults | undefined>;
  readonly panel: PolicyPanel;
  readonly audits: AuditService;
}

export function activate(context: vscode.ExtensionContext): PolicyTraceApi | undefined {
  const log = vscode.window.createOutputChannel('PolicyTrace', { log: true });
  context.subscriptions.push(log);
  try {
    const statusBar = new AuditStatusBar();
    const cacheDir = vscode.Uri.joinPath(context.globalStorageUri, 'forward-cache').fsPath;
    const audits = new AuditService(new AuditClient(defaultAuditWorkerScript()), log, statusBar, context.workspaceState, cacheDir);
    const findings = new FindingsStore(audits);
    const panel = new PolicyPanel(context.extensionUri, audits, log);
    const ctx: HostContext = { extension: context, log, audits, findings, panel };
    const tree = new PolicyTreeProvider(audits);
    context.subscriptions.push(
      statusBar,
      audits,
      findings,
      panel,
      tree,
      new ResultWatchers(audits, log),
      new PolicyDiagnostics(findings, audits),
      new HeatDecorations(context.extensionUri, findings),
      vscode.languages.registerCodeLensProvider(DATASET_SELECTOR, new PolicyCodeLensProvider(findings)),
      vscode.languages.registerHoverProvider(DATASET_SELECTOR, new PolicyHoverProvider(findings)),
      vscode.languages.registerCodeActionsProvider(DATASET_SELECTOR, new PolicyCodeActions(findings), { providedCodeActionKinds: PolicyCodeActions.kinds }),
      vscode.window.createTreeView('policytrace.policies', { treeDataProvider: tree, showCollapseAll: true }),
      trackSpecPresence(),
      ...registerCommands(ctx),
    );
    void vscode.commands.executeCommand('setContext', 'policytrace.hasResults', false);
    // Last: every view above listens for results, so restored ones reach the panel, CodeLens and Problems.
    audits.restore();
    log.info(`PolicyTrace activated (workspace trusted: ${vscode.workspace.isTrusted})`);
    return {
      get results() {
        return audits.results;
      },
      onDidChangeResults: audits.onDidChangeResults,
      panel,
      audits,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`activation failed: ${message}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('PolicyTrace could not start: {0}', message));
    return undefined;
  }
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions (the audit service cancels a running audit).
}
