/** The status bar item: what the last audit found, that one is running, or that results are stale. */
import * as vscode from 'vscode';
import type { AuditResults } from './auditResults';
import { CommandId } from './commands/commandIds';

export class AuditStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('policytrace.status', vscode.StatusBarAlignment.Left, 50);

  constructor() {
    this.item.name = 'PolicyTrace';
    this.showIdle(undefined);
  }

  showRunning(stageText: string, percent: number): void {
    this.item.text = `$(sync~spin) PolicyTrace: ${stageText} ${Math.round(percent)}%`;
    this.item.tooltip = vscode.l10n.t('An audit is running. Click to cancel it.');
    this.item.command = CommandId.CancelAudit;
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  showIdle(results: AuditResults | undefined): void {
    this.item.command = results ? CommandId.OpenPanel : CommandId.RunAudit;
    if (!results) {
      this.item.text = '$(beaker) PolicyTrace';
      this.item.tooltip = vscode.l10n.t('Run a PolicyTrace audit');
      this.item.backgroundColor = undefined;
    } else {
      const count = results.report.policies?.policies.length ?? 0;
      this.item.text = `${results.stale ? '$(warning)' : '$(beaker)'} PolicyTrace: ${vscode.l10n.t('{0} policies', count)}`;
      this.item.tooltip = results.stale
        ? vscode.l10n.t('Results are stale: {0}. Click to open the policy panel.', results.staleReason ?? '')
        : vscode.l10n.t('Open the policy panel');
      this.item.backgroundColor = results.stale ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    }
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
