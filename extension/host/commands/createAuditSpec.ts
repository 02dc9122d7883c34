import * as path from 'node:path';
import * as vscode from 'vscode';
import { detectFields } from '../../engine/data/detectFields';
import { resolveCheckpoint } from '../../engine/model/checkpoint';
import { inspectModel } from '../../engine/model/inspect';
import type { PolicyTraceCommand } from '../hostContext';
import { SPEC_FILE_NAME, writeSpecJson } from '../specFiles';
import { draftSpec, guessField, labelsFromSample, type ModelInputInfo } from '../specDraft';
import { DATASET_EXTENSIONS } from './selectTrainingData';
import { CommandId } from './commandIds';

async function pickField(fields: string[], title: string, preselect: string | undefined, optional: boolean): Promise<string | null | undefined> {
  const none = vscode.l10n.t('(none)');
  const items = [...(optional ? [{ label: none }] : []), ...fields.map((label) => ({ label, picked: label === preselect }))];
  items.sort((a, b) => Number(b.label === preselect) - Number(a.label === preselect));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: preselect });
  if (!picked) return undefined;
  return picked.label === none ? null : picked.label;
}

/** PolicyTrace: Create Audit Spec — pickers for the checkpoint, the data and its fields; writes policytrace.json. */
export const createAuditSpecCommand: PolicyTraceCommand = {
  id: CommandId.CreateAuditSpec,
  async run(ctx) {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Open a folder first: the audit spec lives in the workspace.'));
      return undefined;
    }
    const specUri = vscode.Uri.joinPath(folder.uri, SPEC_FILE_NAME);
    const model = await vscode.window.showOpenDialog({ title: vscode.l10n.t('1/4 Select the model checkpoint (.onnx)'), defaultUri: folder.uri, canSelectMany: false, filters: { [vscode.l10n.t('ONNX model')]: ['onnx'] } });
    if (!model?.[0]) return undefined;
    const train = await vscode.window.showOpenDialog({ title: vscode.l10n.t('2/4 Select the fine-tuning data'), defaultUri: folder.uri, canSelectMany: true, filters: { [vscode.l10n.t('Datasets')]: DATASET_EXTENSIONS } });
    if (!train || train.length === 0) return undefined;
    const heldOut = vscode.l10n.t('Hold out part of the training data');
    const probeChoice = await vscode.window.showQuickPick([heldOut, vscode.l10n.t('Choose probe files…')], { title: vscode.l10n.t('3/4 Which inputs probe the model’s behaviour?') });
    if (!probeChoice) return undefined;
    const probe = probeChoice === heldOut ? [] : (await vscode.window.showOpenDialog({ title: vscode.l10n.t('Select probe files'), defaultUri: folder.uri, canSelectMany: true, filters: { [vscode.l10n.t('Datasets')]: DATASET_EXTENSIONS } })) ?? [];
    try {
      const checkpoint = await resolveCheckpoint(model[0].fsPath);
      const inspection = await inspectModel(checkpoint.modelPath);
      const detected = await detectFields(train[0].fsPath);
      if (detected.fields.length === 0) throw new Error(vscode.l10n.t('{0}: no readable records to take field names from', train[0].fsPath));
      const text = await pickField(detected.fields, vscode.l10n.t('4/4 Which field is the text the model reads?'), guessField(detected.fields, 'text'), false);
      if (!text) return undefined;
      const label = await pickField(detected.fields, vscode.l10n.t('Which field is the label? (optional)'), guessField(detected.fields, 'label'), true);
      if (label === undefined) return undefined;
      const group = await pickField(detected.fields, vscode.l10n.t('Which field names a source or group? (optional)'), guessField(detected.fields, 'group'), true);
      if (group === undefined) return undefined;
      const guessed = checkpoint.classNames ?? (label ? labelsFromSample(detected.sample, label) : []);
      const labelText = await vscode.window.showInputBox({
        title: vscode.l10n.t('Class names in the order of the model’s outputs (comma-separated)'),
        value: guessed.join(', '),
      });
      if (labelText === undefined) return undefined;
      const inputs: ModelInputInfo[] = inspection.inputs.map((i) => ({ name: i.name, type: i.type, shape: i.shape }));
      const spec = draftSpec({
        specDir: folder.uri.fsPath,
        modelPath: checkpoint.modelPath,
        tokenizerPath: checkpoint.tokenizerPath,
        vocabPath: checkpoint.vocabPath,
        inputs,
        train: train.map((u) => u.fsPath),
        probe: probe.map((u) => u.fsPath),
        fields: { text, label: label ?? undefined, group: group ?? undefined, id: guessField(detected.fields, 'id'), split: guessField(detected.fields, 'split') },
        labels: labelText.split(',').map((s) => s.trim()).filter(Boolean),
      });
      try {
        await vscode.workspace.fs.stat(specUri);
        const replace = vscode.l10n.t('Replace');
        if ((await vscode.window.showWarningMessage(vscode.l10n.t('{0} exists. Replace it?', SPEC_FILE_NAME), { modal: true }, replace)) !== replace) return undefined;
      } catch {
        // no spec yet
      }
      await writeSpecJson(specUri, spec);
      await vscode.commands.executeCommand('setContext', 'policytrace.hasSpec', true);
      ctx.log.info(`wrote ${specUri.fsPath} (featurizer ${(spec.featurizer as { kind: string }).kind}, ${path.basename(checkpoint.modelPath)})`);
      await vscode.window.showTextDocument(specUri);
      return specUri;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      ctx.log.error(`create audit spec: ${message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('Cannot create the audit spec: {0}', message));
      return undefined;
    }
  },
};
