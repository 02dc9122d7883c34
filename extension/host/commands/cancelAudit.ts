import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

/** PolicyTrace: Cancel Audit — stops the running audit (its worker is terminated if it does not stop). */
export const cancelAuditCommand: PolicyTraceCommand = {
  id: CommandId.CancelAudit,
  run(ctx) {
    if (!ctx.audits.cancel()) void vscode.window.showInformationMessage(vscode.l10n.t('No PolicyTrace audit is running.'));
  },
};
