/** Quick fixes on PolicyTrace Problems: exclude the line, show its policy in the panel, export a curated copy. */
import * as vscode from 'vscode';
import { CommandId } from '../commands/commandIds';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { FindingsStore } from './findingsStore';

export class PolicyCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly store: FindingsStore) {}

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== DIAGNOSTIC_SOURCE || (diagnostic.code !== 'PT001' && diagnostic.code !== 'PT002')) continue;
      const line = diagnostic.range.start.line + 1;
      const findings = this.store.forFile(document.uri.fsPath).filter((f) => f.line.line === line && f.role === 'proponent');
      if (findings.length === 0) continue;
      const first = findings[0];
      const reason = findings.map((f) => `${f.policyLabel} ${f.rule}`).join('; ');
      const exclude = new vscode.CodeAction(vscode.l10n.t('Add line {0} to the PolicyTrace exclusion list', line), vscode.CodeActionKind.QuickFix);
      exclude.command = { command: CommandId.AddToExclusions, title: exclude.title, arguments: [first.file, line, first.line.id, reason] };
      exclude.diagnostics = [diagnostic];
      exclude.isPreferred = true;
      actions.push(exclude);
      for (const finding of findings) {
        const show = new vscode.CodeAction(vscode.l10n.t('Show {0} in the policy panel', finding.policyLabel), vscode.CodeActionKind.QuickFix);
        show.command = { command: CommandId.ShowInPanel, title: show.title, arguments: [finding.policyId, finding.file, line] };
        show.diagnostics = [diagnostic];
        actions.push(show);
      }
      const exportCopy = new vscode.CodeAction(vscode.l10n.t('Export a curated copy without the flagged lines'), vscode.CodeActionKind.QuickFix);
      exportCopy.command = { command: CommandId.ExportCuratedDataset, title: exportCopy.title };
      exportCopy.diagnostics = [diagnostic];
      actions.push(exportCopy);
    }
    return actions;
  }
}
