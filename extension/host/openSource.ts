/**
 * Opens a training file at a record: the whole record (line..endLine) is selected and centred, so a
 * multi-line CSV record is visible at once. Paths are checked against the workspace folders first,
 * whoever asks (panel, tree, CodeLens): nothing outside the workspace is ever opened.
 */
import * as vscode from 'vscode';
import { checkPathInsideFolders } from './pathGuard';

export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export type OpenSourceOutcome = { opened: true; editor: vscode.TextEditor } | { opened: false; reason: string };

/** `viewColumn`: Beside when the request comes from the panel, so the editor does not cover the panel. */
export async function openSourceRange(file: string, line: number, endLine: number, log: vscode.LogOutputChannel, viewColumn: vscode.ViewColumn = vscode.ViewColumn.Active): Promise<OpenSourceOutcome> {
  const checked = checkPathInsideFolders(file, workspaceFolderPaths());
  if (!checked.ok) {
    log.warn(`refused to open a source line: ${checked.reason}`);
    return { opened: false, reason: checked.reason };
  }
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(checked.value));
    const first = Math.min(Math.max(0, line - 1), document.lineCount - 1);
    const last = Math.min(Math.max(first, endLine - 1), document.lineCount - 1);
    const range = new vscode.Range(first, 0, last, document.lineAt(last).range.end.character);
    const editor = await vscode.window.showTextDocument(document, { preview: true, viewColumn, selection: range });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenter);
    return { opened: true, editor };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.error(`cannot open ${checked.value}:${line}: ${reason}`);
    void vscode.window.showErrorMessage(vscode.l10n.t('PolicyTrace cannot open {0}:{1}: {2}', checked.value, line, reason));
    return { opened: false, reason };
  }
}
