/**
 * Runs audits (in the worker, through AuditClient) and holds the current results. Shows progress with
 * stages and a Cancel button, keeps the status bar in step, and tells everyone (panel, CodeLens,
 * Problems, tree) when the results change. Only one audit runs at a time: a new one cancels the old.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { AuditCancelledError, AuditClient, AuditFailedError, type AuditProgressEvent, type AuditRequest, type AuditStageName } from '../engine/audit/AuditClient';
import type { AuditReport } from '../engine/report/schema';
import { makeResults, type AuditResults } from './auditResults';
import { REPORT_SCHEMA_VERSION } from '../engine/report/schema';
import { readSettings } from './settings';
import type { AuditStatusBar } from './statusBar';

const STAGES: AuditStageName[] = ['load', 'read', 'featurize', 'predict', 'policies', 'attribution', 'verify', 'report'];

export function stageTitle(stage: AuditStageName): string {
  switch (stage) {
    case 'load': return vscode.l10n.t('loading the model');
    case 'read': return vscode.l10n.t('reading the data');
    case 'featurize': return vscode.l10n.t('featurizing');
    case 'predict': return vscode.l10n.t('running the model');
    case 'policies': return vscode.l10n.t('extracting policies');
    case 'attribution': return vscode.l10n.t('attributing to training lines');
    case 'verify': return vscode.l10n.t('verifying by retraining');
    case 'report': return vscode.l10n.t('writing the report');
  }
}

/** Overall completion in [0, 1] from the stage and the fraction within it. */
export function overallFraction(progress: AuditProgressEvent): number {
  const index = Math.max(0, STAGES.indexOf(progress.stage));
  const within = Math.min(1, Math.max(0, progress.fraction ?? 0));
  return (index + within) / STAGES.length;
}

export interface AuditProgressState {
  running: boolean;
  stage?: AuditStageName;
  fraction?: number;
}

const RESULTS_KEY = 'policytrace.lastResults';

export class AuditService implements vscode.Disposable {
  private readonly resultsEmitter = new vscode.EventEmitter<AuditResults | undefined>();
  private readonly progressEmitter = new vscode.EventEmitter<AuditProgressState>();
  readonly onDidChangeResults = this.resultsEmitter.event;
  readonly onDidChangeProgress = this.progressEmitter.event;
  private current: AuditResults | undefined;
  private running: AbortController | undefined;
  private last: AuditRequest | undefined;

  constructor(
    private readonly client: AuditClient,
    private readonly log: vscode.LogOutputChannel,
    private readonly statusBar: AuditStatusBar,
    /** Where the last results survive a window reload (workspace state), when given. */
    private readonly memento?: vscode.Memento,
    /** Folder of the forward cache (under the extension's global storage), when given. */
    private readonly cacheDir?: string,
  ) {}

  /**
   * Brings back the results of the previous session of this workspace (a window reload restarts the extension
   * host; the panel, CodeLens and Problems should come back with their data). Call after every listener is wired.
   */
  restore(): void {
    const saved = this.memento?.get<AuditResults>(RESULTS_KEY);
    if (!saved || saved.report?.schemaVersion !== REPORT_SCHEMA_VERSION) return;
    this.log.info(`restored the results of the previous session (${saved.report.createdAt})`);
    this.setResults(saved);
  }

  get results(): AuditResults | undefined {
    return this.current;
  }

  /** The request of the last audit started here (a re-audit repeats it, hypotheses included). */
  get lastRequest(): AuditRequest | undefined {
    return this.last;
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  /** Runs an audit; resolves with the new results, or undefined when it was cancelled, refused or failed. */
  async run(request: AuditRequest, reason: string): Promise<AuditResults | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage(vscode.l10n.t('PolicyTrace runs audits only in a trusted workspace: an audit loads the model and data named by the spec.'));
      return undefined;
    }
    this.cancel();
    this.last = request;
    const controller = new AbortController();
    this.running = controller;
    void vscode.commands.executeCommand('setContext', 'policytrace.auditRunning', true);
    const settings = readSettings(vscode.Uri.file(request.specPath));
    if (request.threads === undefined && settings.threads > 0) request = { ...request, threads: settings.threads };
    // Settings are defaults: an option the spec file sets wins.
    request = {
      ...request,
      optionDefaults: { batchSize: settings.batchSize, preconditioner: settings.preconditioner, topK: settings.topK, projectionSize: settings.projectionSize },
      ...(this.cacheDir !== undefined && request.cacheDir === undefined && { cacheDir: this.cacheDir }),
    };
    this.log.info(`audit started (${reason}): ${request.specPath}${request.hypotheses?.length ? `, hypotheses ${JSON.stringify(request.hypotheses)}` : ''}; topK ${settings.topK}`);
    const started = Date.now();
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('PolicyTrace audit'), cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          let reported = 0;
          return this.client.run(request, {
            signal: controller.signal,
            onProgress: (event) => {
              const overall = overallFraction(event) * 100;
              progress.report({ message: event.message ? `${stageTitle(event.stage)}: ${event.message}` : stageTitle(event.stage), increment: Math.max(0, overall - reported) });
              reported = Math.max(reported, overall);
              this.statusBar.showRunning(stageTitle(event.stage), overall);
              this.progressEmitter.fire({ running: true, stage: event.stage, fraction: overall / 100 });
              this.log.debug(`stage ${event.stage} ${event.fraction ?? ''} ${event.message ?? ''}`);
            },
          });
        },
      );
      this.log.info(`audit finished in ${((Date.now() - started) / 1000).toFixed(1)} s: ${report.policies?.policies.length ?? 0} policies`);
      for (const warning of report.warnings) this.log.warn(warning);
      return this.setResults(makeResults(report, 'audit', { specPath: request.specPath }));
    } catch (error) {
      this.reportFailure(error);
      return undefined;
    } finally {
      if (this.running === controller) {
        this.running = undefined;
        void vscode.commands.executeCommand('setContext', 'policytrace.auditRunning', false);
        this.progressEmitter.fire({ running: false });
        this.statusBar.showIdle(this.current);
      }
    }
  }

  /** Cancels the running audit, if any; true when there was one. */
  cancel(): boolean {
    if (!this.running) return false;
    this.running.abort();
    this.running = undefined;
    void vscode.commands.executeCommand('setContext', 'policytrace.auditRunning', false);
    this.progressEmitter.fire({ running: false });
    this.statusBar.showIdle(this.current);
    return true;
  }

  /** Shows a report that was written elsewhere (CLI, CI). */
  showReport(report: AuditReport, reportFile: string): AuditResults {
    return this.setResults(makeResults(report, 'file', { reportFile }));
  }

  markStale(reason: string): void {
    if (!this.current || this.current.stale) return;
    this.current = { ...this.current, stale: true, staleReason: reason };
    this.log.info(`results are stale: ${reason}`);
    this.statusBar.showIdle(this.current);
    this.resultsEmitter.fire(this.current);
    void this.memento?.update(RESULTS_KEY, this.current);
  }

  clear(): void {
    this.current = undefined;
    void this.memento?.update(RESULTS_KEY, undefined);
    void vscode.commands.executeCommand('setContext', 'policytrace.hasResults', false);
    this.statusBar.showIdle(undefined);
    this.resultsEmitter.fire(undefined);
  }

  private setResults(results: AuditResults): AuditResults {
    this.current = results;
    void this.memento?.update(RESULTS_KEY, results);
    void vscode.commands.executeCommand('setContext', 'policytrace.hasResults', true);
    this.statusBar.showIdle(results);
    this.resultsEmitter.fire(results);
    return results;
  }

  private reportFailure(error: unknown): void {
    if (error instanceof AuditCancelledError) {
      this.log.info('audit cancelled');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(`audit failed: ${message}`);
    const showLogs = vscode.l10n.t('Show Logs');
    const file = error instanceof AuditFailedError ? error.location.file : undefined;
    const openFile = vscode.l10n.t('Open {0}', file ? path.basename(file) : '');
    const actions = file && path.isAbsolute(file) ? [openFile, showLogs] : [showLogs];
    void vscode.window.showErrorMessage(vscode.l10n.t('PolicyTrace audit failed: {0}', message), ...actions).then(async (answer) => {
      if (answer === showLogs) this.log.show();
      if (answer === openFile && file && error instanceof AuditFailedError) {
        const line = Math.max(0, (error.location.line ?? 1) - 1);
        await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(line, 0, line, 0) });
      }
    });
  }

  dispose(): void {
    this.cancel();
    this.resultsEmitter.dispose();
    this.progressEmitter.dispose();
  }
}
