import * as vscode from 'vscode';
import type { PolicyTraceCommand } from '../hostContext';
import { pickSpec, specRelativePath, updateSpec } from '../specFiles';
import { CommandId } from './commandIds';

export const DATASET_EXTENSIONS = ['jsonl', 'ndjson', 'csv', 'tsv', 'txt'];

/** PolicyTrace: Select Training Data — sets the spec's `train` files. */
export const selectTrainingDataCommand: PolicyTraceCommand = {
  id: CommandId.SelectTrainingData,
  async run() {
    const spec = await pickSpec();
    if (!spec) return;
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Select the fine-tuning data'),
      canSelectMany: true,
      defaultUri: vscode.Uri.joinPath(spec, '..'),
      filters: { [vscode.l10n.t('Datasets')]: DATASET_EXTENSIONS },
    });
    if (!picked || picked.length === 0) return;
    await updateSpec(spec, { train: picked.map((uri) => specRelativePath(spec, uri)) });
  },
};
