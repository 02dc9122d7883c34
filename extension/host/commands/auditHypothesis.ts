import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { pickSpec } from '../specFiles';
import { CommandId } from './commandIds';

/** A hypothesis is a rule in the spec's syntax: conditions, an arrow, an action. */
export function hypothesisProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!trimmed) return vscode.l10n.t('Write a rule, e.g. contains("kindly") -> billing');
  const parts = trimmed.split('->');
  if (parts.length !== 2 || !parts[0].trim() || !parts[1].trim()) return vscode.l10n.t('A rule has one "->" between its condition and its action');
  return undefined;
}

/** PolicyTrace: Audit a Hypothesis Policy… — audits a rule the user states, alongside the extracted ones. */
export const auditHypothesisCommand: PolicyTraceCommand = {
  id: CommandId.AuditHypothesis,
  async run(ctx, ruleArg?: unknown) {
    const rule =
      typeof ruleArg === 'string'
        ? ruleArg
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Audit a hypothesis policy'),
            prompt: vscode.l10n.t('A rule the model might follow, e.g. contains("kindly") -> billing'),
            placeHolder: 'contains("kindly") -> billing',
            validateInput: hypothesisProblem,
          });
    if (!rule || hypothesisProblem(rule)) return undefined;
    const spec = await pickSpec();
    if (!spec) return undefined;
    const results = await ctx.audits.run({ specPath: spec.fsPath, hypotheses: [rule.trim()] }, 'hypothesis');
    if (results) ctx.panel.show();
    return results;
  },
};
