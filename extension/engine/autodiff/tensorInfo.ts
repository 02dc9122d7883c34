/**
 * What the backward graph needs to know about each forward tensor: its element type and its dims as measured
 * in a probe run. Rules read static facts (rank, which axes broadcast) from here and compute everything that
 * varies with the batch from Shape ops at run time, so one gradient model serves every batch size.
 */
import { OnnxDataType } from '../model/onnxProto';

export interface TensorInfo {
  /** ONNX TensorProto.DataType. */
  dataType: number;
  /** Dims in the probe run (batch of 3 when the batch-layout probe made it). */
  dims: number[];
}

export type TensorInfoMap = Map<string, TensorInfo>;

const ortTypeToOnnx: Record<string, number> = {
  float32: OnnxDataType.FLOAT,
  float64: OnnxDataType.DOUBLE,
  float16: OnnxDataType.FLOAT16,
  int64: OnnxDataType.INT64,
  int32: OnnxDataType.INT32,
  int8: OnnxDataType.INT8,
  uint8: OnnxDataType.UINT8,
  bool: OnnxDataType.BOOL,
  string: OnnxDataType.STRING,
};

export function onnxTypeOfOrtType(type: string): number {
  return ortTypeToOnnx[type] ?? OnnxDataType.UNDEFINED;
}

/** Element types that carry gradients (float16 models are rejected by the emitter with a clear message). */
export function isDifferentiableType(dataType: number): boolean {
  return dataType === OnnxDataType.FLOAT || dataType === OnnxDataType.DOUBLE || dataType === OnnxDataType.FLOAT16;
}
