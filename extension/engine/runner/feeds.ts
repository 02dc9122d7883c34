/**
 * Model inputs as plain, structured-clone-friendly objects: featurizers produce them on one thread and
 * the ORT worker turns them into tensors on another, so nothing here may depend on onnxruntime.
 */
export type FeedType = 'int64' | 'int32' | 'float32' | 'string' | 'bool';

export type FeedData = BigInt64Array | Int32Array | Float32Array | Uint8Array | string[];

export interface FeedTensor {
  type: FeedType;
  dims: number[];
  data: FeedData;
}

export type Feeds = Record<string, FeedTensor>;

/** A model output after a run, concatenated over batches along axis 0. */
export interface OutputTensor {
  type: string;
  dims: number[];
  data: Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array | string[];
}

export type Outputs = Record<string, OutputTensor>;
