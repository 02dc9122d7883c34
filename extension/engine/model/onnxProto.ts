/**
 * Reading and writing ONNX ModelProto with protobufjs over the vendored ONNX schema (see schema/).
 * Decoded messages are plain objects (longs as numbers, bytes as Uint8Array) so the rest of the engine
 * never touches protobuf types.
 */
import * as protobuf from 'protobufjs';
import schemaJson from './schema/onnx-ml.json';

const root = protobuf.Root.fromJSON(schemaJson as protobuf.INamespace);
const ModelProtoType = root.lookupType('onnx.ModelProto');

/** The ONNX TensorProto.DataType enum values used by the engine. */
export const OnnxDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

export const OnnxDataTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(OnnxDataType).map(([name, value]) => [value, name.toLowerCase()]),
);

/* Loose structural types for the decoded protobuf objects (only the fields the engine reads). */
export interface TensorProto {
  name?: string;
  dims?: number[];
  dataType?: number;
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  stringData?: Uint8Array[];
  dataLocation?: number;
  externalData?: { key?: string; value?: string }[];
}
export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
}
export interface NodeProto {
  name?: string;
  opType?: string;
  domain?: string;
  input?: string[];
  output?: string[];
  attribute?: AttributeProto[];
}
export interface TensorShapeDim {
  dimValue?: number;
  dimParam?: string;
}
export interface TypeProto {
  tensorType?: { elemType?: number; shape?: { dim?: TensorShapeDim[] } };
  sequenceType?: { elemType?: TypeProto };
  mapType?: { keyType?: number; valueType?: TypeProto };
}
export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
}
export interface GraphProto {
  name?: string;
  node?: NodeProto[];
  initializer?: TensorProto[];
  input?: ValueInfoProto[];
  output?: ValueInfoProto[];
  valueInfo?: ValueInfoProto[];
}
export interface ModelProto {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  opsetImport?: { domain?: string; version?: number }[];
  graph?: GraphProto;
}

/** Decodes model bytes; throws protobuf's own error for bytes that are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const message = ModelProtoType.decode(bytes);
  return ModelProtoType.toObject(message, { longs: Number, bytes: Uint8Array, defaults: false }) as ModelProto;
}

export function encodeModel(model: ModelProto): Uint8Array {
  const message = ModelProtoType.fromObject(model as Record<string, unknown>);
  return ModelProtoType.encode(message).finish();
}

export function attributeString(node: NodeProto, name: string): string | undefined {
  const attr = node.attribute?.find((a) => a.name === name);
  return attr?.s ? Buffer.from(attr.s).toString('utf8') : undefined;
}

export function attributeInt(node: NodeProto, name: string): number | undefined {
  return node.attribute?.find((a) => a.name === name)?.i;
}

export function attributeFloat(node: NodeProto, name: string): number | undefined {
  return node.attribute?.find((a) => a.name === name)?.f;
}

export function attributeInts(node: NodeProto, name: string): number[] | undefined {
  return node.attribute?.find((a) => a.name === name)?.ints;
}

/** Float32 values of an initializer (copies rawData first: it may be unaligned inside the model buffer). */
export function tensorToFloat32(tensor: TensorProto): Float32Array {
  const count = (tensor.dims ?? []).reduce((a, b) => a * b, 1);
  if (tensor.dataType === OnnxDataType.FLOAT) {
    if (tensor.rawData && tensor.rawData.length > 0) {
      const copy = new Uint8Array(tensor.rawData);
      return new Float32Array(copy.buffer, 0, count);
    }
    return Float32Array.from(tensor.floatData ?? []);
  }
  if (tensor.dataType === OnnxDataType.DOUBLE) {
    if (tensor.rawData && tensor.rawData.length > 0) {
      const copy = new Uint8Array(tensor.rawData);
      return Float32Array.from(new Float64Array(copy.buffer, 0, count));
    }
    return Float32Array.from(tensor.doubleData ?? []);
  }
  throw new Error(`initializer '${tensor.name}' has data type ${OnnxDataTypeName[tensor.dataType ?? 0]}, expected float`);
}
