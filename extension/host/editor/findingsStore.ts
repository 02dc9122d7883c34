/**
 * The per-line findings of the current results, indexed by file. Recomputed only when the results or the
 * topK setting change, and announced with one event so CodeLens, decorations and Problems refresh
 * together and only then.
 */
import * as vscode from 'vscode';
import { collectLineFindings, groupFindingsByFile, type LineFinding } from '../../shared/findings';
import { resultsPath, type AuditResults } from '../auditResults';
import type { AuditService } from '../auditService';
import { readSettings } from '../settings';

export class FindingsStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private byFile = new Map<string, LineFinding[]>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly service: AuditService) {
    this.subscriptions = [
      service.onDidChangeResults((results) => this.rebuild(results)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('policytrace.topK')) this.rebuild(this.service.results);
      }),
    ];
    this.rebuild(service.results);
  }

  private rebuild(results: AuditResults | undefined): void {
    this.byFile = results
      ? groupFindingsByFile(collectLineFindings(results.report, (file) => resultsPath(results, file), readSettings().topK))
      : new Map();
    this.emitter.fire();
  }

  forFile(file: string): readonly LineFinding[] {
    return this.byFile.get(file) ?? [];
  }

  files(): string[] {
    return [...this.byFile.keys()];
  }

  get stale(): boolean {
    return this.service.results?.stale ?? false;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.emitter.dispose();
  }
}
