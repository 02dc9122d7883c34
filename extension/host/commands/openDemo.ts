import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

/**
 * PolicyTrace: Open the Demo (walkthrough) — copies the bundled demo (SMS spam model + data + spec) to the
 * extension's storage, so the user's edits never touch the installed extension, and opens it.
 */
export const openDemoCommand: PolicyTraceCommand = {
  id: CommandId.OpenDemo,
  async run(ctx) {
    const bundled = vscode.Uri.joinPath(ctx.extension.extensionUri, 'demo');
    try {
      await vscode.workspace.fs.stat(bundled);
    } catch {
      void vscode.window.showErrorMessage(vscode.l10n.t('This build of PolicyTrace has no bundled demo.'));
      return;
    }
    const target = vscode.Uri.joinPath(ctx.extension.globalStorageUri, 'demo');
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(target, 'policytrace.json'));
    } catch {
      await vscode.workspace.fs.createDirectory(ctx.extension.globalStorageUri);
      await vscode.workspace.fs.copy(bundled, target, { overwrite: true });
      ctx.log.info(`copied the demo to ${target.fsPath}`);
    }
    const isOpen = vscode.workspace.workspaceFolders?.some((f) => f.uri.toString() === target.toString());
    if (isOpen) {
      await vscode.commands.executeCommand(CommandId.RunAudit);
      return;
    }
    await vscode.commands.executeCommand('vscode.openFolder', target, { forceNewWindow: false });
  },
};
