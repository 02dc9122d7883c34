/** Hover on a flagged training line: every policy it feeds, with Δ adherence / Δ strength and their scales. */
import * as vscode from 'vscode';
import { hoverMarkdown } from '../../shared/lensText';
import type { FindingsStore } from './findingsStore';

export class PolicyHoverProvider implements vscode.HoverProvider {
  constructor(private readonly store: FindingsStore) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const line = position.line + 1;
    const onLine = this.store.forFile(document.uri.fsPath).filter((f) => f.line.line <= line && line <= f.line.endLine);
    if (onLine.length === 0) return undefined;
    const stale = this.store.stale ? `_${vscode.l10n.t('These results are stale: the data or model changed since the audit.')}_\n\n` : '';
    // Untrusted, no HTML: the text contains dataset strings (already escaped by hoverMarkdown).
    const markdown = new vscode.MarkdownString(stale + hoverMarkdown(onLine));
    markdown.isTrusted = false;
    markdown.supportHtml = false;
    return new vscode.Hover(markdown);
  }
}
