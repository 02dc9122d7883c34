/**
 * Keeps results honest: when a dataset file of the audit changes, the results are marked stale and, after
 * a quiet period, the audit runs again (the engine's content-hash cache makes that cheap); when the
 * checkpoint changes, the results are only marked stale — a new model deserves a deliberate audit.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { datasetFiles, resultsPath, type AuditResults } from './auditResults';
import type { AuditService } from './auditService';
import { readSettings } from './settings';

export const REAUDIT_DEBOUNCE_MS = 1500;

export class ResultWatchers implements vscode.Disposable {
  private watchers: vscode.Disposable[] = [];
  private watchedKey = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly service: AuditService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscription = service.onDidChangeResults((results) => this.watch(results));
  }

  private watch(results: AuditResults | undefined): void {
    const data = results ? datasetFiles(results) : [];
    const checkpoint = results ? resultsPath(results, results.report.model.path) : undefined;
    const key = JSON.stringify([data, checkpoint]);
    if (key === this.watchedKey) return;
    this.disposeWatchers();
    this.watchedKey = key;
    for (const file of data) this.watchers.push(...this.watchFile(file, () => this.onDatasetChanged(file)));
    if (checkpoint) this.watchers.push(...this.watchFile(checkpoint, () => this.service.markStale(vscode.l10n.t('the checkpoint {0} changed', path.basename(checkpoint)))));
  }

  private watchFile(file: string, onChange: () => void): vscode.Disposable[] {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(file)), path.basename(file)));
    return [watcher, watcher.onDidChange(onChange), watcher.onDidCreate(onChange), watcher.onDidDelete(onChange)];
  }

  private onDatasetChanged(file: string): void {
    const results = this.service.results;
    if (!results) return;
    this.service.markStale(vscode.l10n.t('{0} changed', path.basename(file)));
    if (results.source !== 'audit' || !results.specPath || !readSettings(vscode.Uri.file(file)).autoReaudit) return;
    if (this.timer) clearTimeout(this.timer);
    const request = this.service.lastRequest?.specPath === results.specPath ? this.service.lastRequest : { specPath: results.specPath };
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.service.isRunning || !vscode.workspace.isTrusted) return;
      this.log.info(`re-auditing after ${path.basename(file)} changed`);
      void this.service.run(request, 'dataset changed');
    }, REAUDIT_DEBOUNCE_MS);
  }

  private disposeWatchers(): void {
    for (const watcher of this.watchers) watcher.dispose();
    this.watchers = [];
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.disposeWatchers();
    this.subscription.dispose();
  }
}
