/**
 * Gutter heat on flagged lines: three levels for proponents (by |Δ strength| relative to the file's
 * largest) and one for opponents. Applied to visible editors when they appear and when results change.
 */
import * as vscode from 'vscode';
import { heatLevels } from '../../shared/findings';
import type { FindingsStore } from './findingsStore';

export class HeatDecorations implements vscode.Disposable {
  private readonly proponentTypes: vscode.TextEditorDecorationType[];
  private readonly opponentType: vscode.TextEditorDecorationType;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    extensionUri: vscode.Uri,
    private readonly store: FindingsStore,
  ) {
    const gutter = (name: string, ruler: string): vscode.TextEditorDecorationType =>
      vscode.window.createTextEditorDecorationType({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', `${name}.svg`),
        gutterIconSize: 'contain',
        overviewRulerColor: new vscode.ThemeColor(ruler),
        overviewRulerLane: vscode.OverviewRulerLane.Right,
      });
    this.proponentTypes = [gutter('heat-low', 'editorOverviewRuler.infoForeground'), gutter('heat-mid', 'editorOverviewRuler.warningForeground'), gutter('heat-high', 'editorOverviewRuler.errorForeground')];
    this.opponentType = gutter('heat-opponent', 'editorOverviewRuler.infoForeground');
    this.subscriptions = [store.onDidChange(() => this.refreshAll()), vscode.window.onDidChangeVisibleTextEditors(() => this.refreshAll())];
    this.refreshAll();
  }

  private refreshAll(): void {
    for (const editor of vscode.window.visibleTextEditors) this.refresh(editor);
  }

  private refresh(editor: vscode.TextEditor): void {
    const findings = this.store.forFile(editor.document.uri.fsPath);
    const levels = heatLevels(findings.filter((f) => f.role === 'proponent'));
    const buckets: vscode.Range[][] = [[], [], []];
    const opponents: vscode.Range[] = [];
    const lineRange = (line: number): vscode.Range => new vscode.Range(line - 1, 0, line - 1, 0);
    for (const finding of findings) {
      if (finding.line.line > editor.document.lineCount) continue;
      if (finding.role === 'opponent') {
        opponents.push(lineRange(finding.line.line));
      } else {
        const level = levels.get(finding) ?? 0;
        buckets[level > 2 / 3 ? 2 : level > 1 / 3 ? 1 : 0].push(lineRange(finding.line.line));
      }
    }
    this.proponentTypes.forEach((type, i) => editor.setDecorations(type, buckets[i]));
    editor.setDecorations(this.opponentType, opponents);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const type of [...this.proponentTypes, this.opponentType]) type.dispose();
  }
}
