import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportCuratedCopy } from '../../engine/export';
import type { SourceRef } from '../../engine/report/schema';
import { prettyRule } from '../../shared/scoreFormat';
import { datasetFiles, resultsPath } from '../auditResults';
import { selectCuratedRecords } from '../curatedSelection';
import { parseExclusions, type ExclusionEntry } from '../exclusionList';
import type { HostContext, PolicyTraceCommand } from '../hostContext';
import { readSettings } from '../settings';
import { CommandId } from './commandIds';

async function readExclusions(folder: vscode.Uri): Promise<ExclusionEntry[]> {
  const listPath = path.resolve(folder.fsPath, readSettings(folder).exclusionListPath);
  try {
    return parseExclusions(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(listPath))), listPath);
  } catch (error) {
    if (error instanceof vscode.FileSystemError) return [];
    throw error;
  }
}

async function choosePolicies(ctx: HostContext): Promise<Set<string> | undefined> {
  const report = ctx.audits.results!.report;
  const attributed = new Set((report.attribution ?? []).map((a) => a.policyId));
  const items = (report.policies?.policies ?? [])
    .map((policy, i) => ({ label: `P${i + 1}  ${prettyRule(policy.rule)}`, policyId: policy.id, picked: true }))
    .filter((item) => attributed.has(item.policyId));
  if (items.length === 0) return new Set();
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, title: vscode.l10n.t('Leave out the top lines of which policies?') });
  return picked ? new Set(picked.map((p) => p.policyId)) : undefined;
}

/**
 * PolicyTrace: Export Curated Dataset — writes copies of the training files without the flagged lines
 * (the chosen policies' top proponents plus the exclusion list) into a new folder, with exclusions.json.
 * The engine's export only reads the user's files.
 */
export const exportCuratedDatasetCommand: PolicyTraceCommand = {
  id: CommandId.ExportCuratedDataset,
  async run(ctx, outDirArg?: unknown, policyIdsArg?: unknown) {
    const results = ctx.audits.results;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!results || !folder) {
      void vscode.window.showWarningMessage(vscode.l10n.t('Run an audit first: there are no flagged lines to leave out.'));
      return undefined;
    }
    const policyIds = Array.isArray(policyIdsArg) ? new Set(policyIdsArg.filter((id): id is string => typeof id === 'string')) : await choosePolicies(ctx);
    if (!policyIds) return undefined;
    const outDir =
      outDirArg instanceof vscode.Uri
        ? outDirArg
        : (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: folder.uri, openLabel: vscode.l10n.t('Export here'), title: vscode.l10n.t('Folder for the curated copy (a new or empty folder)') }))?.[0];
    if (!outDir) return undefined;
    const findings = ctx.findings.files().flatMap((file) => ctx.findings.forFile(file));
    const knownRecords: SourceRef[] = [
      ...results.report.predictions,
      ...(results.report.attribution ?? []).flatMap((a) => [...a.proponents, ...a.opponents]),
    ].map((r) => ({ ...r, file: resultsPath(results, r.file) }));
    const selection = selectCuratedRecords({ findings, policyIds, exclusions: await readExclusions(folder.uri), exclusionBase: folder.uri.fsPath, knownRecords });
    const trainFiles = datasetFiles({ ...results, report: { ...results.report, datasets: results.report.datasets.filter((d) => d.role === 'train') } });
    const exported = exportCuratedCopy({ outDir: outDir.fsPath, flagged: selection.flagged, files: trainFiles });
    ctx.log.info(`curated export: ${selection.flagged.length} records left out of ${exported.files.length} file(s) into ${exported.outDir}`);
    for (const entry of selection.unresolvedExclusions) ctx.log.warn(`exclusion ${entry.file}:${entry.line} is not a record this report locates; it was not left out`);
    const reveal = vscode.l10n.t('Open exclusions.json');
    const message = vscode.l10n.t('Curated copy written to {0}: {1} lines left out of {2} file(s).', exported.outDir, selection.flagged.length, exported.files.length);
    const detail = selection.unresolvedExclusions.length > 0 ? ` ${vscode.l10n.t('{0} exclusion-list entries did not match a record of this report (see the log).', selection.unresolvedExclusions.length)}` : '';
    void vscode.window.showInformationMessage(message + detail, reveal).then((answer) => {
      if (answer === reveal) void vscode.window.showTextDocument(vscode.Uri.file(exported.exclusionsPath));
    });
    return exported;
  },
};
