import * as path from 'node:path';
import * as vscode from 'vscode';
import { addExclusion, parseExclusions, serializeExclusions } from '../exclusionList';
import type { PolicyTraceCommand } from '../hostContext';
import { checkPathInsideFolders } from '../pathGuard';
import { readSettings } from '../settings';
import { CommandId } from './commandIds';

/** Internal (quick fix): adds a training line to the exclusion list named by `policytrace.exclusionListPath`. */
export const addToExclusionsCommand: PolicyTraceCommand = {
  id: CommandId.AddToExclusions,
  async run(ctx, file?: unknown, line?: unknown, id?: unknown, reason?: unknown) {
    if (typeof file !== 'string' || typeof line !== 'number') return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    if (!folder || !checkPathInsideFolders(file, [folder.uri.fsPath]).ok) {
      void vscode.window.showErrorMessage(vscode.l10n.t('{0} is not inside a workspace folder; it cannot be added to the exclusion list.', file));
      return undefined;
    }
    const settingPath = readSettings(folder.uri).exclusionListPath;
    const listPath = path.resolve(folder.uri.fsPath, settingPath);
    if (!checkPathInsideFolders(listPath, [folder.uri.fsPath]).ok) {
      void vscode.window.showErrorMessage(vscode.l10n.t('policytrace.exclusionListPath must be inside the workspace folder: {0}', settingPath));
      return undefined;
    }
    const listUri = vscode.Uri.file(listPath);
    let existingText = '';
    try {
      existingText = new TextDecoder().decode(await vscode.workspace.fs.readFile(listUri));
    } catch {
      // a missing list starts empty
    }
    try {
      const entry = {
        file: path.relative(folder.uri.fsPath, file).split(path.sep).join('/'),
        line,
        id: typeof id === 'string' ? id : '',
        reason: typeof reason === 'string' ? reason : '',
      };
      const { list, added } = addExclusion(parseExclusions(existingText, listPath), entry);
      if (added) {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(listPath)));
        await vscode.workspace.fs.writeFile(listUri, new TextEncoder().encode(serializeExclusions(list)));
        ctx.log.info(`excluded ${entry.file}:${line} in ${listPath}`);
      }
      void vscode.window.showInformationMessage(
        added ? vscode.l10n.t('Added {0}:{1} to {2}.', entry.file, line, settingPath) : vscode.l10n.t('{0}:{1} is already in {2}.', entry.file, line, settingPath),
      );
      return listUri;
    } catch (error) {
      void vscode.window.showErrorMessage(error instanceof Error ? error.message : String(error));
      return undefined;
    }
  },
};
