/** Keeps the `policytrace.hasSpec` context key true while the workspace has a policytrace.json (drives the welcome view). */
import * as vscode from 'vscode';
import { findSpecs, SPEC_FILE_NAME } from './specFiles';

export function trackSpecPresence(): vscode.Disposable {
  const update = async (): Promise<void> => {
    const specs = await findSpecs();
    await vscode.commands.executeCommand('setContext', 'policytrace.hasSpec', specs.length > 0);
  };
  const watcher = vscode.workspace.createFileSystemWatcher(`**/${SPEC_FILE_NAME}`);
  void update();
  return vscode.Disposable.from(watcher, watcher.onDidCreate(update), watcher.onDidDelete(update), vscode.workspace.onDidChangeWorkspaceFolders(update));
}
