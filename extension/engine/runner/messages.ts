/**
 * The typed protocol between ModelRunner (host thread) and worker.ts (the onnxruntime thread). Everything
 * here must survive structured cloning: plain objects, typed arrays, strings.
 */
import type { ErrorLocation } from '../errors';
import type { Feeds, Outputs } from './feeds';

/** Passed as workerData when the worker starts. */
export interface WorkerStartData {
  modelBytes: Uint8Array;
  threads?: number;
  outputs?: string[];
}

export interface TensorMetadata {
  name: string;
  isTensor: boolean;
  /** onnxruntime type name ('int64', 'float32'...), absent for non-tensors. */
  type?: string;
  /** Numbers for fixed dims, strings for symbolic ones ('' when the model leaves a dim unnamed). */
  shape?: (number | string)[];
}

export type HostToWorker =
  | { type: 'run-batch'; runId: number; batchIndex: number; feeds: Feeds }
  | { type: 'cancel'; runId: number }
  | { type: 'dispose' };

export interface SerializedError {
  message: string;
  code: string;
  location?: ErrorLocation;
}

export type WorkerToHost =
  | { type: 'ready'; inputMetadata: TensorMetadata[]; outputMetadata: TensorMetadata[]; outputNames: string[] }
  | { type: 'start-failed'; error: SerializedError }
  | { type: 'batch-done'; runId: number; batchIndex: number; outputs: Outputs }
  | { type: 'batch-failed'; runId: number; batchIndex: number; error: SerializedError }
  | { type: 'cancelled'; runId: number }
  | { type: 'disposed' };
