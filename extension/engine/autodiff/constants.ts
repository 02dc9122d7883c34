/** Values of graph constants (initializers and Constant nodes): axes, exponents and shapes that rules need. */
import { GraphProto, OnnxDataType, TensorProto } from '../model/onnxProto';

function tensorValues(tensor: TensorProto): number[] | undefined {
  const raw = tensor.rawData && tensor.rawData.length > 0 ? new Uint8Array(tensor.rawData) : undefined;
  switch (tensor.dataType) {
    case OnnxDataType.INT64:
      return raw ? Array.from(new BigInt64Array(raw.buffer), Number) : tensor.int64Data?.map(Number);
    case OnnxDataType.INT32:
      return raw ? Array.from(new Int32Array(raw.buffer)) : tensor.int32Data;
    case OnnxDataType.FLOAT:
      return raw ? Array.from(new Float32Array(raw.buffer)) : tensor.floatData;
    case OnnxDataType.DOUBLE:
      return raw ? Array.from(new Float64Array(raw.buffer)) : tensor.doubleData;
    default:
      return undefined;
  }
}

/** A lookup of constant tensor values by name, built once per graph. */
export function constantLookup(graph: GraphProto): (name: string) => number[] | undefined {
  const tensors = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) tensors.set(t.name, t);
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Constant' || !node.output?.[0]) continue;
    const value = node.attribute?.find((a) => a.name === 'value')?.t;
    const ints = node.attribute?.find((a) => a.name === 'value_ints')?.ints;
    const int = node.attribute?.find((a) => a.name === 'value_int')?.i;
    if (value) tensors.set(node.output[0], value);
    else if (ints) tensors.set(node.output[0], { dataType: OnnxDataType.INT64, dims: [ints.length], int64Data: ints });
    else if (int !== undefined) tensors.set(node.output[0], { dataType: OnnxDataType.INT64, dims: [], int64Data: [int] });
  }
  return (name) => {
    const tensor = tensors.get(name);
    return tensor ? tensorValues(tensor) : undefined;
  };
}
