/**
 * The policy panel (one per window). Sends the current results to the webview, validates every message
 * that comes back (shape, then path containment) and acts on it. Survives reloads through a
 * WebviewPanelSerializer; the webview keeps its own UI state with getState/setState.
 */
import * as vscode from 'vscode';
import { toPanelReport, validatePanelMessage, type HostToPanelMessage, type PanelToHostMessage } from '../../shared/messages';
import { resultsPath, type AuditResults } from '../auditResults';
import type { AuditService } from '../auditService';
import { CommandId } from '../commands/commandIds';
import { openSourceRange } from '../openSource';
import { PANEL_VIEW_TYPE, panelHtml, panelOptions } from './panelHtml';

export class PolicyPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelSubscriptions: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];
  private readonly renderedEmitter = new vscode.EventEmitter<number>();
  private readonly refusedEmitter = new vscode.EventEmitter<string>();
  private readonly openedEmitter = new vscode.EventEmitter<vscode.TextEditor>();
  /** Fires with the number of policies each time the webview has rendered a report. */
  readonly onDidRender = this.renderedEmitter.event;
  /** Fires with the reason when a message from the webview is refused. */
  readonly onDidRefuseMessage = this.refusedEmitter.event;
  /** Fires when a line clicked in the panel was opened. */
  readonly onDidOpenSource = this.openedEmitter.event;
  private pendingFocus: HostToPanelMessage | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly service: AuditService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      service.onDidChangeResults((results) => void this.post(this.reportMessage(results))),
      service.onDidChangeProgress((p) => void this.post({ type: 'progress', running: p.running, stage: p.stage, fraction: p.fraction })),
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel) => this.attach(panel),
      }),
    ];
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  show(focus?: { policyId: string; file?: string; line?: number }): void {
    if (focus) this.pendingFocus = { type: 'focusPolicy', ...focus };
    if (this.panel) {
      // A hidden panel's webview restarts on reveal and asks with 'ready'; the focus waits for that.
      const wasVisible = this.panel.visible;
      this.panel.reveal(undefined, false);
      if (wasVisible && this.pendingFocus) {
        void this.post(this.pendingFocus);
        this.pendingFocus = undefined;
      }
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, vscode.l10n.t('PolicyTrace Policies'), vscode.ViewColumn.Beside, panelOptions(this.extensionUri));
    this.attach(panel);
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'policytrace.svg');
    panel.webview.options = panelOptions(this.extensionUri);
    panel.webview.html = panelHtml(panel.webview, this.extensionUri);
    this.panelSubscriptions = [
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => {
        for (const s of this.panelSubscriptions) s.dispose();
        this.panelSubscriptions = [];
        this.panel = undefined;
      }),
    ];
  }

  private reportMessage(results: AuditResults | undefined): HostToPanelMessage {
    if (!results) return { type: 'report', report: null, stale: false };
    // The webview gets absolute paths, so the path it sends back can be checked as is.
    const report = toPanelReport(results.report);
    report.attribution = report.attribution.map((a) => ({
      ...a,
      proponents: a.proponents.map((line) => ({ ...line, file: resultsPath(results, line.file) })),
      opponents: a.opponents.map((line) => ({ ...line, file: resultsPath(results, line.file) })),
    }));
    return { type: 'report', report, stale: results.stale, staleReason: results.staleReason };
  }

  private post(message: HostToPanelMessage): Thenable<boolean> {
    return this.panel ? this.panel.webview.postMessage(message) : Promise.resolve(false);
  }

  /** Handles one untrusted message; exposed for tests through the extension API. */
  async receive(raw: unknown): Promise<void> {
    const validation = validatePanelMessage(raw);
    if (!validation.ok) {
      this.log.warn(`refused a message from the policy panel: ${validation.reason}`);
      this.refusedEmitter.fire(validation.reason);
      return;
    }
    await this.act(validation.value);
  }

  private async act(message: PanelToHostMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.post(this.reportMessage(this.service.results));
        if (this.service.isRunning) await this.post({ type: 'progress', running: true });
        if (this.pendingFocus) await this.post(this.pendingFocus);
        this.pendingFocus = undefined;
        return;
      case 'openSource': {
        const outcome = await openSourceRange(message.file, message.line, message.endLine, this.log, vscode.ViewColumn.Beside);
        if (outcome.opened) this.openedEmitter.fire(outcome.editor);
        else this.refusedEmitter.fire(outcome.reason);
        return;
      }
      case 'runAudit':
        await vscode.commands.executeCommand(CommandId.RunAudit);
        return;
      case 'verify':
        await vscode.commands.executeCommand(CommandId.VerifyByRetraining, message.policyId);
        return;
      case 'exportReport':
        await vscode.commands.executeCommand(CommandId.ExportReport);
        return;
      case 'rendered':
        this.renderedEmitter.fire(message.policyCount);
        return;
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of [...this.subscriptions, ...this.panelSubscriptions]) s.dispose();
    this.renderedEmitter.dispose();
    this.refusedEmitter.dispose();
    this.openedEmitter.dispose();
  }
}
