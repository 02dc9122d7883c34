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

export async function createSession(modelBytes: Uint8Array): Promise<OrtSession> {
  return ort().InferenceSession.create(modelBytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 0 });
}
