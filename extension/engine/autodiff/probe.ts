/**
 * The probe run: the forward graph with every intermediate tensor exposed as an output. One run gives each
 * tensor's element type and dims (what rules need to know statically); runs at batch sizes 2 (A, B) and
 * 3 (A, B, A) also give each tensor's batch layout — which axis grows with the batch, whether that axis
 * merges batch with another dim (torch attention's [seq·batch, d] rows), and in which order.
 */
import { encodeModel, ModelProto, OnnxDataType } from '../model/onnxProto';
import { describeError, PolicyTraceError } from '../errors';
import { createSession, ExampleFeeds, ort, OrtSession, OrtTensor } from './ort';
import { onnxTypeOfOrtType, TensorInfoMap } from './tensorInfo';

export interface BatchLayout {
  /** The axis whose size is batch × factor. */
  axis: number;
  /** How many rows per example that axis holds (1 = a plain batch axis). */
  factor: number;
  /** batch-major: row = example·factor + t; sequence-major: row = t·batch + example. */
  order: 'batch-major' | 'sequence-major';
}

export interface ProbeResult {
  infos: TensorInfoMap;
  layouts: Map<string, BatchLayout>;
  /**
   * Small integer tensors with the same values at batch sizes 2 and 3: shape arithmetic that does not depend
   * on the batch (a head size, the bounds of a q/k/v slice). Valid for inputs shaped like the probe examples.
   */
  invariants: Map<string, number[]>;
}

/** Integer tensors up to this many elements are compared across the two probe runs. */
const MAX_INVARIANT_ELEMENTS = 16;

function integerValues(tensor: OrtTensor | undefined): number[] | undefined {
  if (!tensor || (tensor.type !== 'int64' && tensor.type !== 'int32') || tensor.size > MAX_INVARIANT_ELEMENTS) return undefined;
  return Array.from(tensor.data as ArrayLike<number | bigint>, Number);
}

/** Tensors whose values depend on the input values, not only on input shapes (Shape and Size cut the chain). */
function valueDependent(model: ModelProto): Set<string> {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const dependent = new Set((model.graph?.input ?? []).map((i) => i.name).filter((n): n is string => Boolean(n) && !initializers.has(n)));
  for (const node of model.graph?.node ?? []) {
    if (node.opType === 'Shape' || node.opType === 'Size') continue;
    // A subgraph (If/Loop) may read any outer tensor: treat its outputs as dependent.
    const readsData = (node.input ?? []).some((i) => dependent.has(i)) || (node.attribute ?? []).some((a) => a.g);
    if (readsData) for (const o of node.output ?? []) if (o) dependent.add(o);
  }
  return dependent;
}

/**
 * Shape arithmetic only (a mask-derived length is data, even when A,B and A,B,A agree on it), with the same
 * values in both probe runs.
 */
function batchInvariants(model: ModelProto, results2: Record<string, OrtTensor>, results3: Record<string, OrtTensor>): Map<string, number[]> {
  const invariants = new Map<string, number[]>();
  const dependent = valueDependent(model);
  for (const [name, tensor3] of Object.entries(results3)) {
    if (dependent.has(name)) continue;
    const values3 = integerValues(tensor3);
    const values2 = integerValues(results2[name]);
    if (values3 && values2 && values2.join() === values3.join() && tensor3.dims.join() === results2[name].dims.join()) invariants.set(name, values3);
  }
  return invariants;
}

function exposeAllTensors(model: ModelProto): { bytes: Uint8Array; names: string[] } {
  const copy = structuredClone(model);
  const graph = copy.graph!;
  const existing = new Set((graph.output ?? []).map((o) => o.name));
  const names: string[] = [...existing].filter((n): n is string => Boolean(n));
  for (const node of graph.node ?? []) {
    for (const output of node.output ?? []) {
      if (!output || existing.has(output)) continue;
      existing.add(output);
      names.push(output);
      graph.output = [...(graph.output ?? []), { name: output }];
    }
  }
  return { bytes: encodeModel(copy), names };
}

async function runExposed(model: ModelProto, feeds: ExampleFeeds): Promise<Record<string, OrtTensor>> {
  const { bytes, names } = exposeAllTensors(model);
  const batch = Object.values(feeds)[0]?.dims[0];
  let session: OrtSession | undefined;
  try {
    session = await createSession(bytes);
    return await session.run(feeds, names);
  } catch (error) {
    throw new PolicyTraceError(
      `the probe run at batch size ${batch} failed (gradients need a model that accepts any batch size): ${describeError(error)}`,
      {},
      'probe-failed',
    );
  } finally {
    await session?.release();
  }
}

function infosFrom(model: ModelProto, feeds: ExampleFeeds, results: Record<string, OrtTensor>): TensorInfoMap {
  const infos: TensorInfoMap = new Map();
  for (const t of model.graph?.initializer ?? []) if (t.name) infos.set(t.name, { dataType: t.dataType ?? OnnxDataType.UNDEFINED, dims: t.dims ?? [] });
  for (const [name, tensor] of [...Object.entries(feeds), ...Object.entries(results)]) {
    infos.set(name, { dataType: onnxTypeOfOrtType(tensor.type), dims: [...tensor.dims] });
  }
  return infos;
}

/** Element types and dims of every tensor of `model` when run on `feeds`. */
export async function probeTensorInfo(model: ModelProto, feeds: ExampleFeeds): Promise<TensorInfoMap> {
  return infosFrom(model, feeds, await runExposed(model, feeds));
}

/** Rows `rows` of a tensor along axis 0. */
export function selectRows(tensor: OrtTensor, rows: number[]): OrtTensor {
  const rowSize = tensor.dims.slice(1).reduce((a, b) => a * b, 1);
  type Indexable = { [i: number]: unknown; length: number };
  const source = tensor.data as unknown as Indexable;
  const Ctor = (source as unknown as { constructor: new (n: number) => Indexable }).constructor;
  const data = new Ctor(rows.length * rowSize);
  rows.forEach((row, r) => {
    for (let i = 0; i < rowSize; i++) data[r * rowSize + i] = source[row * rowSize + i];
  });
  return new (ort().Tensor)(tensor.type as 'float32', data as unknown as Float32Array, [rows.length, ...tensor.dims.slice(1)]);
}

function rowsEqual(tensor: OrtTensor, axis: number, rowA: number, rowB: number): boolean {
  const dims = tensor.dims;
  const size = dims[axis];
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = tensor.data as ArrayLike<number | bigint>;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const a = Number(data[(o * size + rowA) * inner + i]);
      const b = Number(data[(o * size + rowB) * inner + i]);
      if (Math.abs(a - b) > 1e-5 * (1 + Math.abs(a))) return false;
    }
  }
  return true;
}

/** The layout of one tensor from its dims at batch 2 and its values at batch 3 (examples A, B, A). */
export function detectLayout(dims2: readonly number[], tensor3: OrtTensor): BatchLayout | undefined {
  const dims3 = tensor3.dims;
  if (dims2.length !== dims3.length) return undefined;
  const changed = dims3.map((_, i) => i).filter((i) => dims3[i] !== dims2[i]);
  if (changed.length !== 1) return undefined;
  const axis = changed[0];
  if (dims2[axis] % 2 !== 0 || dims3[axis] * 2 !== dims2[axis] * 3) return undefined;
  const factor = dims2[axis] / 2;
  if (factor === 1) return { axis, factor, order: 'batch-major' };
  const blocks = Array.from({ length: factor }, (_, t) => t);
  const batchMajor = blocks.every((t) => rowsEqual(tensor3, axis, t, 2 * factor + t));
  const sequenceMajor = blocks.every((t) => rowsEqual(tensor3, axis, 3 * t, 3 * t + 2));
  if (batchMajor === sequenceMajor) return undefined; // ambiguous (A and B look alike here) or neither
  return { axis, factor, order: batchMajor ? 'batch-major' : 'sequence-major' };
}

/**
 * Probes with the first two examples of `examples` (which must differ): tensor infos at batch 3 and the batch
 * layout of every graph input and intermediate tensor whose layout can be told.
 */
export async function probeBatchLayout(model: ModelProto, examples: ExampleFeeds): Promise<ProbeResult> {
  for (const [name, tensor] of Object.entries(examples)) {
    if ((tensor.dims[0] ?? 0) < 2) {
      throw new PolicyTraceError(`probe examples need at least 2 rows along axis 0, '${name}' has dims [${tensor.dims.join(', ')}]`, { field: name }, 'probe-input');
    }
  }
  const two: ExampleFeeds = {};
  const three: ExampleFeeds = {};
  for (const [name, tensor] of Object.entries(examples)) {
    two[name] = selectRows(tensor, [0, 1]);
    three[name] = selectRows(tensor, [0, 1, 0]);
  }
  const results2 = await runExposed(model, two);
  const results3 = await runExposed(model, three);
  const layouts = new Map<string, BatchLayout>();
  for (const [name, tensor3] of [...Object.entries(three), ...Object.entries(results3)]) {
    const dims2 = (two[name] ?? results2[name])?.dims;
    const layout = dims2 && detectLayout(dims2, tensor3);
    if (layout) layouts.set(name, layout);
  }
  return { infos: infosFrom(model, three, results3), layouts, invariants: batchInvariants(model, results2, results3) };
}
