/**
 * Appends nodes and constant initializers to a (copied) ONNX graph under fresh names. Everything opset-
 * dependent about *emitting* ops lives here (axes as attribute vs input for ReduceSum/ReduceMean/...), so
 * the per-op gradient rules read like the math.
 */
import { PolicyTraceError } from '../errors';
import { AttributeProto, GraphProto, ModelProto, NodeProto, OnnxDataType, TensorProto } from '../model/onnxProto';
import type { BatchLayout, ProbeResult } from './probe';
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
  /** Gradients left at a broadcastable shape until summed (see `expandLater`): tensor → the shape to take. */
  private readonly deferredExpands = new Map<string, { like: string; axes: number[] }>();
  /** Expands `sumGradients` had to make: expanded tensor → the tensor it repeats and along which axes. */
  private readonly expandedFrom = new Map<string, { source: string; axes: number[] }>();
  /** Constant single-axis Pads of a gradient (see `padAlongAxis`): pad output → where its source sits. */
  private readonly axisPads = new Map<string, { source: string; axis: number; begin: number; end: number; size: number }>();
  /** Nodes and initializers this emitter appended: the only ones `removeDeadNodes` may drop. */
  private readonly emitted = new Set<NodeProto>();
  /** MatMuls emitted through `matMul`: output → operands and their ranks (see `transposeOfProduct`). */
  private readonly products = new Map<string, { a: string; aRank: number; b: string; bRank: number }>();
  /** Mul/Div nodes this emitter made: output → inputs (a product scaled by a constant scalar can be reordered). */
  private readonly scalings = new Map<string, { input: string; op: 'Mul' | 'Div'; by: string }>();
  /** Transposes this emitter made: output → input and perm, so that a transpose of one can cancel it. */
  private readonly transposes = new Map<string, { input: string; perm: number[] }>();
  /** Original nodes a rewrite made redundant (shapeFolding.ts): `removeDeadNodes` may drop them too. */
  private readonly removable = new Set<NodeProto>();
  private readonly emittedInitializers = new Set<string>();
  /** Set by `assumeProbeShapes`: every dim but the batch axis is the probe's, so shapes can be constants. */
  private probeShapes?: { layouts: Map<string, BatchLayout>; invariants: Map<string, number[]> };

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

  /**
   * Promises that the graph will only be fed inputs shaped like the probe's except for the batch size (what
   * per-example outputs already assume: their row views use the probe's sequence sizes). Shapes then become
   * constants with the batch axis left open, and batch-invariant shape arithmetic becomes known values, so
   * the backward graph needs no Shape/Size/Where chains at run time.
   */
  assumeProbeShapes(probe: Pick<ProbeResult, 'layouts' | 'invariants'>): void {
    this.probeShapes = { layouts: probe.layouts, invariants: probe.invariants };
  }

  /** The probe dims of `name` with its batch axis as −1, when shapes are assumed and its batch axis is known. */
  batchOpenDims(name: string): number[] | undefined {
    const layout = this.probeShapes?.layouts.get(name);
    if (!layout) return undefined;
    return this.info(name).dims.map((d, axis) => (axis === layout.axis ? -1 : d));
  }

  /** Values of a batch-invariant integer tensor (see `assumeProbeShapes`), or undefined. */
  invariantValues(name: string): number[] | undefined {
    return this.probeShapes?.invariants.get(name);
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
    this.emitted.add(node);
    if ((opType === 'Mul' || opType === 'Div') && !domain) this.scalings.set(outputs[0], { input: inputs[0], op: opType, by: inputs[1] });
    return outputs;
  }

  /** When `name` is a Mul or Div this emitter made: the tensor it scaled and by what (e.g. dy·γ of a norm's scale). */
  scalingOf(name: string): { input: string; op: 'Mul' | 'Div'; by: string } | undefined {
    return this.scalings.get(name);
  }

  /** Re-emits a forward node (same op, domain and attributes) on new inputs: how index-tracking rules reuse Slice. */
  replay(original: NodeProto, inputs: string[]): string {
    const output = this.freshName(original.opType ?? 'replay');
    const node: NodeProto = { name: this.freshName(`${original.opType}_replay`), opType: original.opType, input: inputs, output: [output], attribute: original.attribute ?? [] };
    if (original.domain) node.domain = original.domain;
    this.graph.node!.push(node);
    this.emitted.add(node);
    return output;
  }

  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.nodeMulti(opType, inputs, attributes)[0];
  }

  addInitializer(hint: string, dataType: number, dims: number[], values: ArrayLike<number>): string {
    const name = this.freshName(hint);
    this.graph.initializer!.push(constantTensor(name, dataType, dims, values));
    this.emittedInitializers.add(name);
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

  /** A constant filled with `value` (cached), e.g. the ones row that sums leading axes as one MatMul. */
  filled(value: number, dims: number[], dataType: number): string {
    return this.cachedConstant(dataType, dims, new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(value));
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

  /** Reshape `x` to the run-time shape of `like` (a constant with the batch axis open when shapes are assumed). */
  reshapeLike(x: string, like: string): string {
    const dims = this.batchOpenDims(like);
    return this.node('Reshape', [x, dims ? this.ints(dims) : this.shape(like)]);
  }

  /**
   * Broadcasts `x` (`like`'s shape but size 1 along `expandedAxes`) to the run-time shape of `like`. With
   * assumed shapes and the batch axis not expanded, the target is a constant with 1 on the batch axis
   * (Expand keeps x's own size there).
   */
  expandLike(x: string, like: string, expandedAxes: number[]): string {
    const dims = this.batchOpenDims(like);
    const constant = dims && expandedAxes.every((axis) => dims[axis] !== -1);
    return this.node('Expand', [x, constant ? this.ints(dims.map((d) => (d === -1 ? 1 : d))) : this.shape(like)]);
  }

  /** Transpose; none for the identity perm, and the input itself when `x` is a transpose this undoes. */
  transpose(x: string, perm: number[]): string {
    if (perm.every((p, i) => p === i)) return x;
    const inner = this.transposes.get(x);
    if (inner && inner.perm.length === perm.length && perm.every((p, i) => inner.perm[p] === i)) return inner.input;
    const output = this.node('Transpose', [x], { perm });
    this.transposes.set(output, { input: x, perm });
    return output;
  }

  private isOneElementConstant(name: string): boolean {
    const initializer = this.graph.initializer!.find((t) => t.name === name);
    const dims = initializer ? (initializer.dims ?? []) : this.constantDims(name);
    return dims !== undefined && dims.reduce((a, b) => a * b, 1) === 1;
  }

  /** Dims of a Constant node's output (the probe saw it), undefined for computed tensors. */
  private constantDims(name: string): number[] | undefined {
    const producer = this.graph.node!.find((n) => n.output?.includes(name));
    return producer?.opType === 'Constant' ? this.infos.get(name)?.dims : undefined;
  }

  /** a·b (numpy MatMul), remembered with the operands' ranks so that `transposeOfProduct` can reorder it. */
  matMul(a: string, aRank: number, b: string, bRank: number): string {
    const output = this.node('MatMul', [a, b]);
    this.products.set(output, { a, aRank, b, bRank });
    return output;
  }

  /**
   * Transpose(x, perm) where x may be a rank-3 product from `matMul`, possibly scaled by a scalar (attention's
   * 1/√d). Swapping the two leading axes of a·b ([1, 0, 2]) is emitted as (bᵀ·aᵀ), scaled, then [2, 0, 1]:
   * the same products and sums, but onnxruntime fuses the operand transposes and the scaling into the MatMul
   * and moves one axis to the front several times faster than it swaps the leading two (measured on the
   * attention's [256, 8, 8] dQ/dV: 56 → 24 µs per product and transpose).
   */
  transposeOfProduct(x: string, perm: number[]): string {
    if (perm.join() !== '1,0,2') return this.transpose(x, perm);
    const scaling = this.scalings.get(x);
    const scaled = scaling && this.products.has(scaling.input) && this.isOneElementConstant(scaling.by) ? scaling : undefined;
    const reversed = this.reversedProduct(scaled ? scaled.input : x);
    if (!reversed) return this.transpose(x, perm);
    return this.transpose(scaled ? this.node(scaled.op, [reversed, scaled.by]) : reversed, [2, 0, 1]);
  }

  /** bᵀ·aᵀ (each operand's last two axes swapped) for a rank-3 product a·b from `matMul`, else undefined. */
  private reversedProduct(x: string): string | undefined {
    const product = this.products.get(x);
    if (!product || Math.max(product.aRank, product.bRank) !== 3 || Math.min(product.aRank, product.bRank) < 2) return undefined;
    const swapLastTwo = (t: string, rank: number) => this.transpose(t, rank === 2 ? [1, 0] : [0, 2, 1]);
    return this.matMul(swapLastTwo(product.b, product.bRank), product.bRank, swapLastTwo(product.a, product.aRank), product.aRank);
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

  /**
   * `x` is a gradient of `like` still at a broadcastable shape (size 1 along `axes`, e.g. a reduction's dy).
   * Returns `x` itself and leaves the Expand to `sumGradients`, which skips it when another term already has
   * the full shape (Sum broadcasts, with the very same additions). Only for terms that go to `sumGradients`.
   */
  expandLater(x: string, like: string, axes: number[]): string {
    this.deferredExpands.set(x, { like, axes });
    return x;
  }

  /**
   * dy zero-padded along one axis to `size` (the gradient of a constant slice [begin, end)), remembered so
   * that `sumGradients` can join slices that tile the axis with one Concat instead of padding and adding.
   */
  padAlongAxis(dy: string, rank: number, axis: number, begin: number, end: number, size: number): string {
    const pads = new Array<number>(2 * rank).fill(0);
    pads[axis] = begin;
    pads[rank + axis] = size - end;
    const padded = this.node('Pad', [dy, this.ints(pads)], { mode: 'constant' });
    this.axisPads.set(padded, { source: dy, axis, begin, end, size });
    return padded;
  }

  /** The total gradient from its contributions, resolving `expandLater` and `padAlongAxis` terms. */
  sumGradients(terms: string[]): string {
    const tiled = this.tilingConcat(terms);
    if (tiled) return tiled;
    const fullShape = terms.find((t) => !this.deferredExpands.has(t));
    if (fullShape !== undefined || terms.length === 0) return this.sum(terms);
    const { like, axes } = this.deferredExpands.get(terms[0])!;
    const expanded = this.expandLike(terms[0], like, axes);
    if (terms.length === 1) this.expandedFrom.set(expanded, { source: terms[0], axes });
    return this.sum([expanded, ...terms.slice(1)]);
  }

  /**
   * When `gradient` is only a broadcast of a smaller tensor (a mean's gradient, say), that tensor and the
   * broadcast axes: rules and per-example sums can then work on the small one (Σ over rows of a constant is
   * a product), leaving the Expand unread.
   */
  broadcastSource(gradient: string): { source: string; axes: number[] } | undefined {
    return this.expandedFrom.get(gradient);
  }

  private tilingConcat(terms: string[]): string | undefined {
    if (terms.length < 2) return undefined;
    const pieces = terms.map((t) => this.axisPads.get(t));
    if (pieces.some((p) => !p)) return undefined;
    const sorted = (pieces as NonNullable<(typeof pieces)[number]>[]).sort((a, b) => a.begin - b.begin);
    const { axis, size } = sorted[0];
    let next = 0;
    for (const piece of sorted) {
      if (piece.axis !== axis || piece.size !== size || piece.begin !== next) return undefined;
      next = piece.end;
    }
    return next === size ? this.node('Concat', sorted.map((p) => p.source), { axis }) : undefined;
  }

  /** Lets `removeDeadNodes` drop an original node once nothing reads it (its work was folded into constants). */
  markRemovable(node: NodeProto): void {
    this.removable.add(node);
  }

  /**
   * Drops appended nodes and initializers that nothing reads (graph outputs count as read), e.g. Pads that a
   * Concat replaced. Of the original graph only nodes marked removable are pruned; tensors a subgraph reads
   * implicitly count as read. Call it last: cached constants are forgotten.
   */
  removeDeadNodes(): void {
    const read = new Set((this.graph.output ?? []).map((o) => o.name));
    const nodes = this.graph.node!;
    const kept: NodeProto[] = [];
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      const prunable = this.emitted.has(node) || this.removable.has(node);
      if (prunable && !(node.output ?? []).some((o) => read.has(o))) continue;
      for (const input of node.input ?? []) read.add(input);
      for (const input of subgraphReads(node)) read.add(input);
      kept.push(node);
    }
    this.graph.node = kept.reverse();
    this.graph.initializer = this.graph.initializer!.filter((t) => !t.name || !this.emittedInitializers.has(t.name) || read.has(t.name));
    this.constantCache.clear();
  }

  /** A float one-hot matrix in `dataType`: ORT's OneHot kernels emit float32, so cast when the graph is double. */
  oneHot(indices: string, depth: string, dataType: number): string {
    const hot = this.node('OneHot', [indices, depth, this.cachedConstant(OnnxDataType.FLOAT, [2], [0, 1])], { axis: -1 });
    return dataType === OnnxDataType.FLOAT ? hot : this.node('Cast', [hot], { to: dataType });
  }
}

/** Every tensor name read inside a node's subgraphs (If/Loop/Scan bodies), which may be outer-scope tensors. */
export function subgraphReads(node: NodeProto): string[] {
  return subgraphsOf(node).flatMap((g) => (g.node ?? []).flatMap((inner: NodeProto) => [...(inner.input ?? []), ...subgraphReads(inner)]));
}

/** A node's graph-valued attributes (GRAPH, and GRAPHS, which the decoded schema keeps but the type omits). */
export function subgraphsOf(node: NodeProto): GraphProto[] {
  return (node.attribute ?? []).flatMap((a) => [...(a.g ? [a.g] : []), ...((a as { graphs?: GraphProto[] }).graphs ?? [])]);
}
