/**
 * The one place autodiff touches onnxruntime-node: loaded lazily so that importing the graph builder (pure
 * protobuf work) never loads the native binding.
 */
import type * as OrtModule from 'onnxruntime-node';

export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type OrtSession = OrtModule.InferenceSession;
export type ExampleFeeds = Record<string, OrtModule.Tensor>;

let loaded: Ort | undefined;

export function ort(): Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('onnxruntime-node') as Ort;
  return loaded;
}

/** All graph optimizations on; `intraOpThreads` 0 (default) lets onnxruntime use one thread per core. */
export async function createSession(modelBytes: Uint8Array, intraOpThreads = 0): Promise<OrtSession> {
  // Severity 3 (errors only): the optimizer's notes on gradient graphs (e.g. "UnsqueezeElimination cannot remove
  // node") are not the user's concern and would otherwise flood the CLI's stderr and the extension's log.
  return ort().InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all', intraOpNumThreads: intraOpThreads, logSeverityLevel: 3 });
}
