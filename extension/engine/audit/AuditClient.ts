/**
 * Host-side client of the audit worker. The engine's `runAudit` blocks its thread for long stretches
 * (onnxruntime's session.run is synchronous), so it runs in a worker thread and this client only passes
 * messages. Cancelling asks the worker to abort and, if it does not exit within a short grace period
 * (it may be inside a native call), terminates it: a cancelled audit always stops.
 * Engine code: no vscode import, so the CLI and tests can use it too.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditOptions } from '../spec/auditSpec';
import type { ErrorLocation } from '../errors';
import type { AuditReport } from '../report/schema';

export type AuditStageName = 'load' | 'read' | 'featurize' | 'predict' | 'policies' | 'attribution' | 'verify' | 'report';

export interface AuditProgressEvent {
  stage: AuditStageName;
  fraction?: number;
  message?: string;
}

/** What the worker needs to start (plain data: it crosses a thread boundary). */
export interface AuditRequest {
  specPath: string;
  hypotheses?: string[];
  verify?: boolean;
  /** Overrides the spec's options.threads (the editor's `policytrace.threads` setting). */
  threads?: number;
  /** Defaults for options the spec does not set (the editor's batchSize, topK, preconditioner settings). */
  optionDefaults?: Partial<AuditOptions>;
  /** Folder of the forward cache (the extension's global storage); no cache when absent. */
  cacheDir?: string;
}

/** Messages from the host to the worker. */
export type AuditWorkerCommand = { type: 'cancel' };

/** Messages from the worker to the host. */
export type AuditWorkerEvent =
  | { type: 'progress'; progress: AuditProgressEvent }
  | { type: 'result'; report: AuditReport }
  | { type: 'error'; message: string; code?: string; location?: ErrorLocation; cancelled?: boolean };

export class AuditCancelledError extends Error {
  constructor() {
    super('audit cancelled');
    this.name = 'AuditCancelledError';
  }
}

/** A failure inside the worker, with the engine's message (already prefixed with its location) and code. */
export class AuditFailedError extends Error {
  constructor(
    message: string,
    readonly code: string = 'error',
    readonly location: ErrorLocation = {},
  ) {
    super(message);
    this.name = 'AuditFailedError';
  }
}

/** Where the worker script lies: next to this module under tsc (out/.../audit/) and in the bundle (dist/). */
export function defaultAuditWorkerScript(): string {
  return path.join(__dirname, 'auditWorker.js');
}

export interface AuditRunOptions {
  onProgress?: (progress: AuditProgressEvent) => void;
  signal?: AbortSignal;
  /**
   * How long a cancelled worker may take to stop by itself before it is terminated (default 10 s).
   * Terminating a thread while onnxruntime-node is inside session.run aborts the whole process (measured with
   * 1.30), so the engine must normally stop by itself: the model runner gives up on a batch after 2 s and
   * runAudit then rejects. Termination is the last resort for a worker stuck in JavaScript.
   */
  cancelGraceMs?: number;
}

export class AuditClient {
  constructor(private readonly workerScript: string = defaultAuditWorkerScript()) {}

  run(request: AuditRequest, options: AuditRunOptions = {}): Promise<AuditReport> {
    const { onProgress, signal } = options;
    const graceMs = options.cancelGraceMs ?? 10_000;
    if (signal?.aborted) return Promise.reject(new AuditCancelledError());
    return new Promise<AuditReport>((resolve, reject) => {
      let settled = false;
      const worker = new Worker(this.workerScript, { workerData: request });
      let killTimer: NodeJS.Timeout | undefined;
      const settle = (action: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        action();
      };
      const onAbort = (): void => {
        worker.postMessage({ type: 'cancel' } satisfies AuditWorkerCommand);
        killTimer = setTimeout(() => void worker.terminate(), graceMs);
        settle(() => reject(new AuditCancelledError()));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (event: AuditWorkerEvent) => {
        if (event.type === 'progress') {
          if (!settled) onProgress?.(event.progress);
        } else if (event.type === 'result') {
          settle(() => resolve(event.report));
        } else if (event.cancelled) {
          settle(() => reject(new AuditCancelledError()));
        } else {
          settle(() => reject(new AuditFailedError(event.message, event.code, event.location)));
        }
      });
      worker.on('error', (error) => settle(() => reject(new AuditFailedError(`audit worker crashed: ${error.message}`, 'worker'))));
      worker.on('exit', (exitCode) => {
        if (killTimer) clearTimeout(killTimer);
        settle(() => reject(new AuditFailedError(`audit worker stopped (exit code ${exitCode}) before it sent a result`, 'worker')));
      });
    });
  }
}
