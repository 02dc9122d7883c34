/** CodeLens on the training lines behind each policy: "▲ P2 'kindly → billing': removing this line −0.031 adherence". */
import * as vscode from 'vscode';
import { groupFindingsByLine } from '../../shared/findings';
import { lensTitle } from '../../shared/lensText';
import { CommandId } from '../commands/commandIds';
import type { FindingsStore } from './findingsStore';

/** The dataset formats the engine reads; the store decides which files of these actually have findings. */
export const DATASET_SELECTOR: vscode.DocumentSelector = [
  { scheme: 'file', pattern: '**/*.{jsonl,ndjson,csv,tsv,txt,json}' },
];

export class PolicyCodeLensProvider implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly store: FindingsStore) {
    this.onDidChangeCodeLenses = store.onDidChange;
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const findings = this.store.forFile(document.uri.fsPath);
    const lenses: vscode.CodeLens[] = [];
    for (const [line, onLine] of groupFindingsByLine(findings)) {
      if (line < 1 || line > document.lineCount) continue;
      const range = new vscode.Range(line - 1, 0, line - 1, 0);
      for (const finding of onLine) {
        lenses.push(
          new vscode.CodeLens(range, {
            title: this.store.stale ? `${lensTitle(finding)} ${vscode.l10n.t('(stale)')}` : lensTitle(finding),
            tooltip: vscode.l10n.t('Show {0} in the policy panel', finding.policyLabel),
            command: CommandId.ShowInPanel,
            arguments: [finding.policyId, finding.file, finding.line.line],
          }),
        );
      }
    }
    return lenses;
  }
}
