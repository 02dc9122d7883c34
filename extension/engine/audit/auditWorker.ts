/**
 * The audit worker thread: runs the engine's `runAudit` for the request in workerData, forwards progress,
 * and aborts when the host sends `cancel`. Protocol types live in AuditClient.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PolicyTraceError, describeError } from '../errors';
import type { AuditRequest, AuditWorkerCommand, AuditWorkerEvent } from './AuditClient';
import { runAudit } from './runAudit';

function post(event: AuditWorkerEvent): void {
  parentPort?.postMessage(event);
}

async function main(): Promise<void> {
  const request = workerData as AuditRequest;
  const controller = new AbortController();
  parentPort?.on('message', (command: AuditWorkerCommand) => {
    if (command.type === 'cancel') controller.abort();
  });
  try {
    const report = await runAudit({
      specPath: request.specPath,
      hypotheses: request.hypotheses,
      verify: request.verify,
      threads: request.threads,
      ...(request.optionDefaults && { optionDefaults: request.optionDefaults }),
      ...(request.cacheDir !== undefined && { cacheDir: request.cacheDir }),
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'progress', progress: { stage: progress.stage, fraction: progress.fraction, message: progress.message } }),
    });
    post({ type: 'result', report });
  } catch (error) {
    if (controller.signal.aborted) {
      post({ type: 'error', message: 'audit cancelled', cancelled: true });
    } else if (error instanceof PolicyTraceError) {
      post({ type: 'error', message: error.message, code: error.code, location: error.location });
    } else {
      post({ type: 'error', message: describeError(error), code: 'internal' });
    }
  } finally {
    parentPort?.close();
  }
}

void main();
