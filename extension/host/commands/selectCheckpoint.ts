import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { pickSpec, specRelativePath, updateSpec } from '../specFiles';
import { CommandId } from './commandIds';

/** PolicyTrace: Select Checkpoint — sets the spec's `checkpoint` (an .onnx file). */
export const selectCheckpointCommand: PolicyTraceCommand = {
  id: CommandId.SelectCheckpoint,
  async run() {
    const spec = await pickSpec();
    if (!spec) return;
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Select the model checkpoint'),
      canSelectMany: false,
      defaultUri: vscode.Uri.joinPath(spec, '..'),
      filters: { [vscode.l10n.t('ONNX model')]: ['onnx'] },
    });
    if (!picked?.[0]) return;
    await updateSpec(spec, { checkpoint: specRelativePath(spec, picked[0]) });
  },
};
