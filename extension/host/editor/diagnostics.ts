/**
 * Problems entries: one per flagged training line (PT001 extracted policy, PT002 hypothesis; warning
 * when retraining verified the policy) and one per record the audit had to skip (PT100).
 */
import * as vscode from 'vscode';
import { displaySnippet } from '../../shared/displayText';
import { groupFindingsByLine } from '../../shared/findings';
import { diagnosticText, SKIPPED_RECORD_CODE } from '../../shared/lensText';
import { resultsPath } from '../auditResults';
import type { AuditService } from '../auditService';
import type { FindingsStore } from './findingsStore';

export const DIAGNOSTIC_SOURCE = 'PolicyTrace';

export class PolicyDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('policytrace');
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: FindingsStore,
    private readonly service: AuditService,
  ) {
    this.subscription = store.onDidChange(() => this.refresh());
    this.refresh();
  }

  private refresh(): void {
    this.collection.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const add = (file: string, diagnostic: vscode.Diagnostic): void => {
      const list = byFile.get(file) ?? [];
      list.push(diagnostic);
      byFile.set(file, list);
    };
    for (const file of this.store.files()) {
      for (const [line, onLine] of groupFindingsByLine(this.store.forFile(file))) {
        const text = diagnosticText(onLine);
        if (!text) continue;
        const endLine = Math.max(line, ...onLine.map((f) => f.line.endLine));
        const range = new vscode.Range(line - 1, 0, endLine - 1, Number.MAX_SAFE_INTEGER);
        const severity = text.level === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
        const diagnostic = new vscode.Diagnostic(range, this.store.stale ? `${text.message} ${vscode.l10n.t('(stale)')}` : text.message, severity);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = text.code;
        add(file, diagnostic);
      }
    }
    const results = this.service.results;
    for (const dataset of results?.report.datasets ?? []) {
      for (const issue of dataset.issues) {
        const line = Math.max(0, issue.line - 1);
        const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), displaySnippet(issue.message, 400), vscode.DiagnosticSeverity.Warning);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = SKIPPED_RECORD_CODE;
        add(resultsPath(results!, issue.file), diagnostic);
      }
    }
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
