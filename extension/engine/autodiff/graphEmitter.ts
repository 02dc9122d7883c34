/**
 * Appends nodes and constant initializers to a (copied) ONNX graph under fresh names. Everything opset-
 * dependent about *emitting* ops lives here (axes as attribute vs input for ReduceSum/ReduceMean/...), so
 * the per-op gradient rules read like the math.
 */
import { PolicyTraceError } from '../errors';
import { AttributeProto, GraphProto, ModelProto, NodeProto, OnnxDataType, TensorProto } from '../model/onnxProto';
import { TensorInfo, TensorInfoMap } from './tensorInfo';

export type AttributeValue = number | number[] | string | TensorProto | { float: number } | { floats: number[] };

const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** An AttributeProto from a plain value: number → INT, number[] → INTS, {float} → FLOAT, string, tensor. */
export function attribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === 'number') return { name, type: ATTR.INT, i: value };
  if (typeof value === 'string') return { name, type: ATTR.STRING, s: Buffer.from(value, 'utf8') };
  if (Array.isArray(value)) return { name, type: ATTR.INTS, ints: value };
  if ('float' in value) return { name, type: ATTR.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: ATTR.FLOATS, floats: value.floats };
  return { name, type: ATTR.TENSOR, t: value };
}

/** A constant tensor proto (raw little-endian data) of a float, double or int64 type. */
export function constantTensor(name: string, dataType: number, dims: number[], values: ArrayLike<number>): TensorProto {
  let raw: Uint8Array;
  if (dataType === OnnxDataType.FLOAT) raw = new Uint8Array(Float32Array.from(values).buffer);
  else if (dataType === OnnxDataType.DOUBLE) raw = new Uint8Array(Float64Array.from(values).buffer);
  else if (dataType === OnnxDataType.INT64) raw = new Uint8Array(BigInt64Array.from(Array.from(values, (v) => BigInt(v))).buffer);
  else throw new PolicyTraceError(`cannot emit a constant of ONNX data type ${dataType}`, { field: name }, 'unsupported-type');
  return { name, dataType, dims, rawData: raw };
}

export class GraphEmitter {
  readonly graph: GraphProto;
  readonly opset: number;
  private counter = 0;
  private readonly usedNames = new Set<string>();
  private readonly constantCache = new Map<string, string>();

  constructor(readonly model: ModelProto, readonly infos: TensorInfoMap, private readonly prefix = 'grad') {
    if (!model.graph) throw new PolicyTraceError('model has no graph', {}, 'bad-model');
    this.graph = model.graph;
    this.graph.node ??= [];
    this.graph.initializer ??= [];
    this.opset = model.opsetImport?.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 1;
    for (const n of this.graph.node) for (const o of n.output ?? []) this.usedNames.add(o);
    for (const t of this.graph.initializer) if (t.name) this.usedNames.add(t.name);
    for (const i of this.graph.input ?? []) if (i.name) this.usedNames.add(i.name);
  }

  info(name: string): TensorInfo {
    const found = this.infos.get(name);
    if (!found) throw new PolicyTraceError(`no probe information for tensor '${name}'`, { field: name }, 'probe-missing');
    return found;
  }

  rank(name: string): number {
    return this.info(name).dims.length;
  }

  freshName(hint: string): string {
    let name: string;
    do name = `${this.prefix}/${hint}_${this.counter++}`;
    while (this.usedNames.has(name));
    this.usedNames.add(name);
    return name;
  }

  /** Appends one node; returns its output names (one unless `outputCount` says otherwise). */
  nodeMulti(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputCount = 1, domain?: string): string[] {
    const outputs = Array.from({ length: outputCount }, () => this.freshName(opType));
    const node: NodeProto = {
      name: this.freshName(`${opType}_node`),
      opType,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    };
    if (domain) node.domain = domain;
    this.graph.node!.push(node);
    return outputs;
  }

  /** Re-emits a forward node (same op, domain and attributes) on new inputs: how index-tracking rules reuse Slice. */
  replay(original: NodeProto, inputs: string[]): string {
    const output = this.freshName(original.opType ?? 'replay');
    const node: NodeProto = { name: this.freshName(`${original.opType}_replay`), opType: original.opType, input: inputs, output: [output], attribute: original.attribute ?? [] };
    if (original.domain) node.domain = original.domain;
    this.graph.node!.push(node);
    return output;
  }

  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.nodeMulti(opType, inputs, attributes)[0];
  }

  addInitializer(hint: string, dataType: number, dims: number[], values: ArrayLike<number>): string {
    const name = this.freshName(hint);
    this.graph.initializer!.push(constantTensor(name, dataType, dims, values));
    return name;
  }

  /** An int64 constant (cached: shape and axes constants repeat a lot). */
  ints(values: number[], dims: number[] = [values.length]): string {
    return this.cachedConstant(OnnxDataType.INT64, dims, values);
  }

  /** A scalar of the given float type (the dtype of the tensor it will combine with). */
  scalar(value: number, dataType: number): string {
    if (dataType !== OnnxDataType.FLOAT && dataType !== OnnxDataType.DOUBLE) {
      throw new PolicyTraceError(`gradients of ONNX data type ${dataType} are not supported (float32 and float64 are)`, {}, 'unsupported-type');
    }
    return this.cachedConstant(dataType, [], [value]);
  }

  scalarLike(value: number, tensor: string): string {
    return this.scalar(value, this.info(tensor).dataType);
  }

  private cachedConstant(dataType: number, dims: number[], values: number[]): string {
    const key = `${dataType}|${dims.join(',')}|${values.join(',')}`;
    let name = this.constantCache.get(key);
    if (!name) {
      name = this.addInitializer('const', dataType, dims, values);
      this.constantCache.set(key, name);
    }
    return name;
  }

  /** Reduce ops moved `axes` from attribute to input: ReduceSum at opset 13, the others at 18. */
  reduce(opType: 'ReduceSum' | 'ReduceMean' | 'ReduceLogSumExp' | 'ReduceMax', x: string, axes: number[], keepdims: boolean): string {
    const axesAsInput = opType === 'ReduceSum' ? this.opset >= 13 : this.opset >= 18;
    const keep = keepdims ? 1 : 0;
    if (axesAsInput) return this.node(opType, [x, this.ints(axes)], { keepdims: keep });
    return this.node(opType, [x], { axes, keepdims: keep });
  }

  /** Unsqueeze/Squeeze took `axes` as an input from opset 13. */
  unsqueeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.node('Unsqueeze', [x, this.ints(axes)]) : this.node('Unsqueeze', [x], { axes });
  }

  shape(x: string): string {
    return this.node('Shape', [x]);
  }

  /** Reshape `x` to the run-time shape of `like`. */
  reshapeLike(x: string, like: string): string {
    return this.node('Reshape', [x, this.shape(like)]);
  }

  transpose(x: string, perm: number[]): string {
    return perm.every((p, i) => p === i) ? x : this.node('Transpose', [x], { perm });
  }

  /** Zeros with the run-time shape of `like` and the element type of `dataTypeOf`. */
  zerosLike(like: string, dataType: number): string {
    const zero = constantTensor('value', dataType, [1], [0]);
    return this.node('ConstantOfShape', [this.shape(like)], { value: zero });
  }

  /** Sums gradient contributions (Sum is variadic and keeps the dtype). */
  sum(terms: string[]): string {
    return terms.length === 1 ? terms[0] : this.node('Sum', terms);
  }

  /** A float one-hot matrix in `dataType`: ORT's OneHot kernels emit float32, so cast when the graph is double. */
  oneHot(indices: string, depth: string, dataType: number): string {
    const hot = this.node('OneHot', [indices, depth, this.cachedConstant(OnnxDataType.FLOAT, [2], [0, 1])], { axis: -1 });
    return dataType === OnnxDataType.FLOAT ? hot : this.node('Cast', [hot], { to: dataType });
  }
}
