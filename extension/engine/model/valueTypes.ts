/**
 * Human-readable descriptions of ONNX value types. Element types use onnxruntime's names (float32, int64...)
 * so an inspection, the runner's input check and the error messages all speak the same words.
 */
import { OnnxDataType, TypeProto, ValueInfoProto } from './onnxProto';

const ortTypeNames: Record<number, string> = {
  [OnnxDataType.FLOAT]: 'float32',
  [OnnxDataType.UINT8]: 'uint8',
  [OnnxDataType.INT8]: 'int8',
  [OnnxDataType.UINT16]: 'uint16',
  [OnnxDataType.INT16]: 'int16',
  [OnnxDataType.INT32]: 'int32',
  [OnnxDataType.INT64]: 'int64',
  [OnnxDataType.STRING]: 'string',
  [OnnxDataType.BOOL]: 'bool',
  [OnnxDataType.FLOAT16]: 'float16',
  [OnnxDataType.DOUBLE]: 'float64',
  [OnnxDataType.UINT32]: 'uint32',
  [OnnxDataType.UINT64]: 'uint64',
};

/** onnxruntime's name for an ONNX element type, e.g. 1 → 'float32'. */
export function elementTypeName(elemType: number | undefined): string {
  return ortTypeNames[elemType ?? 0] ?? `onnx-type-${elemType ?? 0}`;
}

/** One dimension: a number when fixed, the symbol when symbolic ('batch'), '?' when unnamed and unknown. */
export type Dim = number | string;

export interface ValueDescription {
  name: string;
  /** False for sequences and maps (e.g. skl2onnx ZipMap outputs), which onnxruntime-node cannot return. */
  isTensor: boolean;
  /** Element type for tensors ('float32'); a readable type for the rest ('sequence<map<int64,float32>>'). */
  type: string;
  /** Undefined when the model does not declare the rank. */
  shape?: Dim[];
}

export function describeValue(info: ValueInfoProto): ValueDescription {
  const name = info.name ?? '';
  const tensor = info.type?.tensorType;
  if (tensor) {
    const dims = tensor.shape?.dim;
    const shape = dims ? dims.map((d): Dim => d.dimValue ?? d.dimParam ?? '?') : undefined;
    return { name, isTensor: true, type: elementTypeName(tensor.elemType), shape };
  }
  return { name, isTensor: false, type: describeType(info.type) };
}

export function describeType(type: TypeProto | undefined): string {
  if (!type) return 'unknown';
  if (type.tensorType) return `tensor<${elementTypeName(type.tensorType.elemType)}>`;
  if (type.sequenceType) return `sequence<${describeType(type.sequenceType.elemType)}>`;
  if (type.mapType) return `map<${elementTypeName(type.mapType.keyType)},${describeType(type.mapType.valueType)}>`;
  return 'unknown';
}

export function formatShape(shape: Dim[] | undefined): string {
  return shape ? `[${shape.join(', ')}]` : '[unknown rank]';
}
