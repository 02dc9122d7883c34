/**
 * The onnxruntime thread. session.run() blocks the thread it runs on for the whole batch, so it must
 * never run on the extension host's thread: ModelRunner starts this file as a worker_threads Worker.
 * Batches are processed one at a time in arrival order; a 'cancel' is seen between batches (each batch
 * first yields to the event loop so a pending cancel message gets delivered).
 * Entry point for esbuild (dist/worker.js) and tsc (out/extension/engine/runner/worker.js).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { PolicyTraceError } from '../errors';
import type { FeedTensor, Feeds, OutputTensor, Outputs } from './feeds';
import type { HostToWorker, SerializedError, TensorMetadata, WorkerStartData, WorkerToHost } from './messages';

const port = parentPort;
if (!port) throw new Error('worker.ts must be started as a worker thread (by ModelRunner)');
const start = workerData as WorkerStartData;

let session: ort.InferenceSession | undefined;
let fetches: string[] = [];
const cancelledRuns = new Set<number>();
let queue: Promise<void> = Promise.resolve();

function post(message: WorkerToHost, transfer: ArrayBuffer[] = []): void {
  try {
    port?.postMessage(message, transfer);
  } catch {
    port?.postMessage(message); // a buffer that cannot be detached is copied instead
  }
}

function serialize(error: unknown): SerializedError {
  // A PolicyTraceError's message already starts with its location; sending the location too would repeat it.
  if (error instanceof PolicyTraceError) return { message: error.message, code: error.code };
  return { message: error instanceof Error ? error.message : String(error), code: 'onnxruntime' };
}

function metadata(values: readonly ort.InferenceSession.ValueMetadata[]): TensorMetadata[] {
  return values.map((v) => (v.isTensor ? { name: v.name, isTensor: true, type: v.type, shape: [...v.shape] } : { name: v.name, isTensor: false }));
}

async function startSession(): Promise<void> {
  try {
    session = await ort.InferenceSession.create(start.modelBytes, {
      executionMode: 'sequential',
      interOpNumThreads: 1,
      // Failures come back to the host as messages with context; onnxruntime's own stderr log would repeat them.
      logSeverityLevel: 4,
      ...(start.threads !== undefined && { intraOpNumThreads: start.threads }),
    });
  } catch (error) {
    post({ type: 'start-failed', error: { message: `onnxruntime could not load the model: ${(error as Error).message}`, code: 'model-invalid' } });
    return;
  }
  const outputMetadata = metadata(session.outputMetadata);
  const requested = start.outputs ?? outputMetadata.filter((o) => o.isTensor).map((o) => o.name);
  for (const name of requested) {
    const meta = outputMetadata.find((o) => o.name === name);
    const problem = !meta ? 'is not an output of the model' : !meta.isTensor ? 'is not a tensor (a sequence or map, e.g. from ZipMap); onnxruntime-node returns tensors only — prepare the model first' : '';
    if (problem) {
      post({ type: 'start-failed', error: { message: `output '${name}' ${problem} (outputs: ${outputMetadata.map((o) => o.name).join(', ')})`, code: 'bad-output', location: { field: `output ${name}` } } });
      return;
    }
  }
  fetches = requested;
  post({ type: 'ready', inputMetadata: metadata(session.inputMetadata), outputMetadata, outputNames: fetches });
}

function toOrtTensor(feed: FeedTensor): ort.Tensor {
  return new ort.Tensor(feed.type, feed.data as never, feed.dims);
}

function fromOrtTensor(tensor: ort.Tensor): { output: OutputTensor; transfer: ArrayBuffer[] } {
  const data = tensor.data as OutputTensor['data'];
  if (Array.isArray(data)) return { output: { type: tensor.type, dims: [...tensor.dims], data }, transfer: [] };
  // Transfer the buffer when the view covers all of it; otherwise copy the view into its own buffer.
  const own = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
  return { output: { type: tensor.type, dims: [...tensor.dims], data: own }, transfer: [own.buffer as ArrayBuffer] };
}

async function runBatch(runId: number, batchIndex: number, feeds: Feeds): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (cancelledRuns.has(runId) || !session) return;
  let results: ort.InferenceSession.ReturnType;
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(feed);
    results = await session.run(ortFeeds, fetches);
  } catch (error) {
    const shapes = Object.entries(feeds).map(([name, f]) => `${name} ${f.type} [${f.dims.join(', ')}]`).join(', ');
    post({
      type: 'batch-failed',
      runId,
      batchIndex,
      error: { message: `batch ${batchIndex} (inputs: ${shapes}): onnxruntime failed: ${(error as Error).message}`, code: 'onnxruntime' },
    });
    return;
  }
  const outputs: Outputs = {};
  const transfer: ArrayBuffer[] = [];
  for (const name of fetches) {
    const converted = fromOrtTensor(results[name] as ort.Tensor);
    outputs[name] = converted.output;
    transfer.push(...converted.transfer);
  }
  post({ type: 'batch-done', runId, batchIndex, outputs }, transfer);
}

port.on('message', (message: HostToWorker) => {
  switch (message.type) {
    case 'run-batch':
      queue = queue.then(() => runBatch(message.runId, message.batchIndex, message.feeds)).catch((error) => {
        post({ type: 'batch-failed', runId: message.runId, batchIndex: message.batchIndex, error: serialize(error) });
      });
      break;
    case 'cancel':
      cancelledRuns.add(message.runId);
      // Answered after the batch in progress: by then the worker is idle for this run.
      queue = queue.then(() => post({ type: 'cancelled', runId: message.runId }));
      break;
    case 'dispose':
      queue = queue.then(async () => {
        await session?.release();
        session = undefined;
        post({ type: 'disposed' });
        port.close();
      });
      break;
  }
});

void startSession();
