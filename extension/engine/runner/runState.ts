/**
 * Book-keeping for one ModelRunner.run(): batches sent and finished, per-batch outputs in order, progress,
 * and the single settle point shared by completion, failure and cancellation (whichever comes first wins).
 */
import type { Outputs } from './feeds';

export class RunState {
  readonly results: Outputs[] = [];
  inFlight = 0;
  cancelRequested = false;
  private readonly rowsPerBatch: number[] = [];
  private doneBatches = 0;
  private doneRows = 0;
  private failure: Error | undefined;
  private finished = false;
  private wake: (() => void) | undefined;
  private settle: { resolve: (outputs: Outputs) => void; reject: (error: Error) => void } | undefined;
  private markDrained!: () => void;
  /**
   * Resolves once the worker holds no more batches of this run: all results are back, or it acknowledged the
   * cancel. The next run waits for this, so a batch abandoned after the cancel grace period never overlaps it.
   */
  readonly drained = new Promise<void>((resolve) => (this.markDrained = resolve));

  constructor(
    readonly runId: number,
    private readonly onProgress?: (doneBatches: number, doneRows: number) => void,
  ) {}

  onFinish(resolve: (outputs: Outputs) => void, reject: (error: Error) => void): void {
    this.settle = { resolve, reject };
  }

  sent(batchIndex: number, rows: number): void {
    this.rowsPerBatch[batchIndex] = rows;
    this.inFlight++;
  }

  done(batchIndex: number, outputs: Outputs): void {
    this.inFlight--;
    if (this.finished) return; // a late result of a cancelled run: dropped
    this.results[batchIndex] = outputs;
    this.doneBatches++;
    this.doneRows += this.rowsPerBatch[batchIndex] ?? 0;
    try {
      this.onProgress?.(this.doneBatches, this.doneRows);
    } catch {
      // Progress is advisory: a throwing callback must not break the run.
    }
    this.wakeUp();
  }

  /** Records an error that stops the run; the pump sees it at its next check. */
  fail(error: Error): void {
    this.failure ??= error;
    this.wakeUp();
  }

  /** Settles the run once: with outputs, or with the first error. */
  finish(error?: Error, outputs?: Outputs): void {
    if (this.finished) return;
    this.finished = true;
    if (error) this.failure ??= error;
    const failure = error ?? (outputs ? undefined : this.failure);
    if (failure || !outputs) this.settle?.reject(failure ?? new Error('run ended without outputs'));
    else this.settle?.resolve(outputs);
    this.wakeUp();
  }

  /** The worker has nothing of this run left (cancel acknowledged, or the worker is gone). */
  workerIdle(): void {
    this.markDrained();
  }

  throwIfStopped(): void {
    if (this.failure) throw this.failure;
    if (this.finished) throw new Error('run already finished');
  }

  /** Resolves at the next batch result, failure or cancellation; throws if the run has stopped. */
  async nextEvent(): Promise<void> {
    this.throwIfStopped();
    await new Promise<void>((resolve) => (this.wake = resolve));
    this.throwIfStopped();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
