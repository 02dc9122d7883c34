import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { pickSpec } from '../specFiles';
import { CommandId } from './commandIds';

/**
 * PolicyTrace: Verify by Retraining — re-runs the audit with verification on: the engine retrains without
 * each policy's flagged lines and without random lines, and reports both.
 */
export const verifyByRetrainingCommand: PolicyTraceCommand = {
  id: CommandId.VerifyByRetraining,
  async run(ctx, policyId?: unknown) {
    const previous = ctx.audits.results;
    const spec = previous?.source === 'audit' && previous.specPath ? vscode.Uri.file(previous.specPath) : await pickSpec();
    if (!spec) return undefined;
    const hypotheses = ctx.audits.lastRequest?.specPath === spec.fsPath ? ctx.audits.lastRequest.hypotheses : undefined;
    const results = await ctx.audits.run({ specPath: spec.fsPath, hypotheses, verify: true }, 'verify');
    if (results) ctx.panel.show(typeof policyId === 'string' ? { policyId } : undefined);
    return results;
  },
};
