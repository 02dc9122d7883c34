import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

/** The engine's content-addressed cache folder, one per workspace folder (git-ignored). */
export const CACHE_FOLDER = '.policytrace-cache';

/** PolicyTrace: Clear Cache — deletes cached gradients/features so the next audit recomputes them. */
export const clearCacheCommand: PolicyTraceCommand = {
  id: CommandId.ClearCache,
  async run(ctx) {
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => vscode.Uri.joinPath(f.uri, CACHE_FOLDER));
    const existing: vscode.Uri[] = [];
    for (const folder of folders) {
      try {
        await vscode.workspace.fs.stat(folder);
        existing.push(folder);
      } catch {
        // no cache in this folder
      }
    }
    if (existing.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('PolicyTrace has no cache in this workspace.'));
      return;
    }
    const clear = vscode.l10n.t('Clear');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('Delete the PolicyTrace cache ({0})? The next audit recomputes gradients.', existing.map((u) => vscode.workspace.asRelativePath(u)).join(', ')), { modal: true }, clear);
    if (answer !== clear) return;
    for (const folder of existing) {
      await vscode.workspace.fs.delete(folder, { recursive: true, useTrash: false });
      ctx.log.info(`cleared cache ${folder.fsPath}`);
    }
    void vscode.window.showInformationMessage(vscode.l10n.t('PolicyTrace cache cleared.'));
  },
};
