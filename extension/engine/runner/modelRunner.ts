/**
 * Host side of the model runner: starts worker.ts on a worker_threads Worker, streams batches of feeds to
 * it (at most `maxInFlight` queued, so a slow featurizer and the model overlap without unbounded memory),
 * reports progress per batch, cancels on abort, and joins the outputs along axis 0.
 *
 * Feeds are consumed: their typed-array buffers are transferred to the worker, not copied, so the arrays a
 * caller passes in are detached (length 0) after the call.
 *
 * The worker is never terminated while onnxruntime is inside session.run(): with onnxruntime-node 1.30,
 * Worker.terminate() during a native run aborts the whole process when the run returns ("terminate called
 * after throwing an instance of 'Napi::Error'", reproduced in this repo). So a cancel that the worker cannot
 * honour within `cancelGraceMs` rejects the caller's promise anyway, and the abandoned batch finishes in the
 * background with its result dropped; the next run starts once the worker is idle.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { PolicyTraceError } from '../errors';
import { concatBatches } from './concat';
import type { Feeds, Outputs } from './feeds';
import { checkFeeds } from './inputCheck';
import type { HostToWorker, SerializedError, TensorMetadata, WorkerStartData, WorkerToHost } from './messages';
import { RunState } from './runState';

export interface ModelRunnerOptions {
  modelBytes: Uint8Array;
  /** onnxruntime intra-op threads (default: onnxruntime's choice, one per core). */
  threads?: number;
  /** Outputs to fetch (default: every tensor output). */
  outputs?: string[];
  /** The model's path, used to prefix error messages. */
  file?: string;
  /** How long an aborted run may take to finish its current batch before its promise rejects anyway (ms, default 2000). */
  cancelGraceMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Called after each finished batch with the batches and rows (axis-0 length of the first feed) done so far. */
  onProgress?: (doneBatches: number, doneRows: number) => void;
  /** Batches sent ahead to the worker (default 2: one running, one waiting). */
  maxInFlight?: number;
}

type Batches = AsyncIterable<Feeds> | Iterable<Feeds>;

/** The worker script sits beside this module in both layouts: out/extension/engine/runner/ (tsc) and dist/ (esbuild). */
export const WORKER_SCRIPT = path.join(__dirname, 'worker.js');

export class ModelRunner {
  private nextRunId = 0;
  private current: RunState | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private stopped: string | undefined;
  private onDisposed: (() => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly inputMetadata: readonly TensorMetadata[],
    readonly outputMetadata: readonly TensorMetadata[],
    readonly outputNames: readonly string[],
    private readonly cancelGraceMs: number,
    private readonly file: string | undefined,
  ) {
    worker.on('message', (message: WorkerToHost) => this.onMessage(message));
    worker.on('error', (error) => this.stop(`the model worker crashed: ${error.message}`));
    worker.on('exit', (code) => this.stop(`the model worker exited (code ${code})`));
    // An idle runner must not keep a CLI process alive; runs and dispose() hold a reference while they wait.
    worker.unref();
  }

  static start(options: ModelRunnerOptions): Promise<ModelRunner> {
    const startData: WorkerStartData = {
      modelBytes: options.modelBytes,
      ...(options.threads !== undefined && { threads: options.threads }),
      ...(options.outputs && { outputs: options.outputs }),
    };
    const worker = new Worker(WORKER_SCRIPT, { workerData: startData });
    return new Promise<ModelRunner>((resolve, reject) => {
      const fail = (error: PolicyTraceError): void => {
        cleanup();
        void worker.terminate(); // safe: no session.run() is in progress during start
        reject(error);
      };
      const onMessage = (message: WorkerToHost): void => {
        if (message.type === 'start-failed') fail(toError(message.error, options.file));
        if (message.type !== 'ready') return;
        cleanup();
        const { inputMetadata, outputMetadata, outputNames } = message;
        resolve(new ModelRunner(worker, inputMetadata, outputMetadata, outputNames, options.cancelGraceMs ?? 2000, options.file));
      };
      const onError = (error: Error): void => fail(new PolicyTraceError(`the model worker failed to start: ${error.message}`, {}, 'runner'));
      const onExit = (code: number): void => fail(new PolicyTraceError(`the model worker exited during start (code ${code})`, {}, 'runner'));
      const cleanup = (): void => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  }

  /** Runs every batch and returns each fetched output joined along axis 0. Runs on one runner are serialized. */
  run(batches: Batches, options: RunOptions = {}): Promise<Outputs> {
    const state = new RunState(++this.nextRunId, options.onProgress);
    const result = this.queue.then(() => this.runNow(state, batches, options));
    this.queue = result.catch(() => undefined).then(() => state.drained);
    return result;
  }

  /** Waits for queued runs (abort them first for a quick exit), then releases the session and ends the worker. */
  async dispose(): Promise<void> {
    await this.queue;
    if (this.stopped) return;
    this.stopped = 'the runner was disposed';
    this.worker.ref();
    const disposed = new Promise<void>((resolve) => (this.onDisposed = resolve));
    this.worker.postMessage({ type: 'dispose' } satisfies HostToWorker);
    await disposed;
    await this.worker.terminate(); // the worker is idle and closing: terminating it now is safe
  }

  private runNow(state: RunState, batches: Batches, options: RunOptions): Promise<Outputs> {
    if (this.stopped) {
      state.workerIdle();
      return Promise.reject(new PolicyTraceError(`${this.stopped}; start a new ModelRunner`, {}, 'runner-stopped'));
    }
    this.current = state;
    this.worker.ref();
    const { signal } = options;
    let graceTimer: NodeJS.Timeout | undefined;
    const cancelInWorker = (): void => {
      if (state.cancelRequested) return;
      state.cancelRequested = true;
      this.post({ type: 'cancel', runId: state.runId });
    };
    const onAbort = (): void => {
      cancelInWorker();
      graceTimer = setTimeout(() => {
        state.finish(cancelledError(`the batch in progress did not finish within ${this.cancelGraceMs} ms; it completes in the background and its result is dropped`));
      }, this.cancelGraceMs);
    };
    const settled = new Promise<Outputs>((resolve, reject) => state.onFinish(resolve, reject));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    this.pump(state, batches, options).then(
      (outputs) => {
        state.finish(undefined, outputs);
        state.workerIdle();
      },
      (error: unknown) => {
        cancelInWorker(); // drops this run's queued batches; the worker's acknowledgement marks it idle
        state.finish(error instanceof Error ? error : new Error(String(error)));
      },
    );
    void state.drained.then(() => {
      if (this.current === state) this.current = undefined;
      if (!this.stopped) this.worker.unref();
    });
    return settled.finally(() => {
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
    });
  }

  private async pump(state: RunState, batches: Batches, options: RunOptions): Promise<Outputs> {
    const maxInFlight = Math.max(1, options.maxInFlight ?? 2);
    let batchIndex = 0;
    const check = (): void => {
      state.throwIfStopped();
      if (state.cancelRequested) throw cancelledError(); // send nothing more once a cancel is on its way
    };
    check();
    for await (const feeds of batches) {
      check();
      checkFeeds(feeds, this.inputMetadata, batchIndex, this.file);
      state.sent(batchIndex, Object.values(feeds)[0]?.dims[0] ?? 0);
      this.post({ type: 'run-batch', runId: state.runId, batchIndex, feeds }, transferList(feeds));
      batchIndex++;
      while (state.inFlight >= maxInFlight) await state.nextEvent();
    }
    while (state.inFlight > 0) await state.nextEvent();
    state.throwIfStopped();
    return concatBatches(state.results);
  }

  private onMessage(message: WorkerToHost): void {
    if (message.type === 'disposed') {
      this.onDisposed?.();
      return;
    }
    const state = this.current;
    if (message.type === 'ready' || message.type === 'start-failed' || !state || message.runId !== state.runId) return;
    if (message.type === 'batch-done') {
      state.done(message.batchIndex, message.outputs);
    } else if (message.type === 'batch-failed') {
      state.fail(toError(message.error, this.file));
    } else if (message.type === 'cancelled') {
      state.finish(cancelledError());
      state.workerIdle();
    }
  }

  private post(message: HostToWorker, transfer: ArrayBuffer[] = []): void {
    if (!this.stopped) this.worker.postMessage(message, transfer);
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.current?.fail(new PolicyTraceError(reason, {}, 'runner-stopped'));
    this.current?.workerIdle();
    this.onDisposed?.(); // a dispose() waiting on a worker that died has nothing left to wait for
  }
}

function transferList(feeds: Feeds): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const feed of Object.values(feeds)) {
    const data = feed.data;
    if (Array.isArray(data) || !(data.buffer instanceof ArrayBuffer)) continue;
    // Only a view that owns its whole buffer is transferred; a subarray of a bigger buffer is copied.
    if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) buffers.add(data.buffer);
  }
  return [...buffers];
}

function toError(error: SerializedError, file: string | undefined): PolicyTraceError {
  return new PolicyTraceError(error.message, { ...error.location, ...(file && { file }) }, error.code);
}

function cancelledError(detail?: string): PolicyTraceError {
  const error = new PolicyTraceError(`the model run was cancelled${detail ? `: ${detail}` : ''}`, {}, 'cancelled');
  return Object.assign(error, { name: 'AbortError' });
}
