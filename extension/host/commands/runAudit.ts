import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { pickSpec } from '../specFiles';
import { CommandId } from './commandIds';

/** PolicyTrace: Run Audit — audits the workspace's policytrace.json and opens the panel with the results. */
export const runAuditCommand: PolicyTraceCommand = {
  id: CommandId.RunAudit,
  async run(ctx, specArg?: unknown) {
    const spec = specArg instanceof vscode.Uri ? specArg : await pickSpec();
    if (!spec) return undefined;
    const results = await ctx.audits.run({ specPath: spec.fsPath }, 'command');
    if (results) ctx.panel.show();
    return results;
  },
};
