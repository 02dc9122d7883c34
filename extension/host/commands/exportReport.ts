import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderHtmlReport } from '../../engine/report/renderHtml';
import { renderMarkdownReport } from '../../engine/report/renderMarkdown';
import type { AuditReport } from '../../engine/report/schema';
import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

export type ReportFormat = 'json' | 'md' | 'html';

export function renderReport(report: AuditReport, format: ReportFormat): string {
  if (format === 'md') return renderMarkdownReport(report);
  if (format === 'html') return renderHtmlReport(report);
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** PolicyTrace: Export Report — the current results as JSON, Markdown or a standalone HTML file. */
export const exportReportCommand: PolicyTraceCommand = {
  id: CommandId.ExportReport,
  async run(ctx, formatArg?: unknown, targetArg?: unknown) {
    const results = ctx.audits.results;
    if (!results) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Run an audit first: there is no report to export.'));
      return undefined;
    }
    const format: ReportFormat | undefined =
      formatArg === 'json' || formatArg === 'md' || formatArg === 'html'
        ? formatArg
        : (
            await vscode.window.showQuickPick(
              [
                { label: 'JSON', description: vscode.l10n.t('the full versioned report'), format: 'json' as const },
                { label: 'Markdown', description: vscode.l10n.t('for a pull request or an issue'), format: 'md' as const },
                { label: 'HTML', description: vscode.l10n.t('a standalone page, no scripts'), format: 'html' as const },
              ],
              { title: vscode.l10n.t('Export the PolicyTrace report as') },
            )
          )?.format;
    if (!format) return undefined;
    const target =
      targetArg instanceof vscode.Uri
        ? targetArg
        : await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(path.join(results.baseDir, `policytrace-report.${format}`)), title: vscode.l10n.t('Save the report') });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(renderReport(results.report, format)));
    ctx.log.info(`exported the report to ${target.fsPath}`);
    return target;
  },
};
