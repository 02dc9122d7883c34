import * as vscode from 'vscode';
import type { AuditReport } from '../../engine/report/schema';
import { reportProblem } from '../../shared/reportCheck';
import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

/** PolicyTrace: Open Report File… — shows a report written by the CLI (e.g. in CI) in all the views. */
export const openReportCommand: PolicyTraceCommand = {
  id: CommandId.OpenReport,
  async run(ctx, uriArg?: unknown) {
    const uri =
      uriArg instanceof vscode.Uri
        ? uriArg
        : (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('PolicyTrace report')]: ['json'] }, title: vscode.l10n.t('Open a PolicyTrace report') }))?.[0];
    if (!uri) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)));
    } catch (error) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0}: not a readable JSON report ({1})', uri.fsPath, error instanceof Error ? error.message : String(error)));
      return undefined;
    }
    const problem = reportProblem(parsed);
    if (problem) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0}: not a PolicyTrace report: {1}', uri.fsPath, problem));
      return undefined;
    }
    const results = ctx.audits.showReport(parsed as AuditReport, uri.fsPath);
    ctx.log.info(`showing report ${uri.fsPath}`);
    ctx.panel.show();
    return results;
  },
};
