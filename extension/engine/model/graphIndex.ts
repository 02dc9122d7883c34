/**
 * Lookups over one ONNX graph: which node produces a tensor, who consumes it, and the value of tensors that
 * are constants (initializers, Constant nodes, and Identity/Transpose/Cast of those — torch exports made with
 * do_constant_folding=False leave `Transpose(weight)` in front of MatMul).
 */
import { attributeInts, GraphProto, NodeProto, OnnxDataType, TensorProto, tensorToFloat32 } from './onnxProto';

export interface ConstantTensor {
  dims: number[];
  data: Float32Array;
  /** The initializer or Constant node output it was read from. */
  source: string;
}

export class GraphIndex {
  private readonly producers = new Map<string, NodeProto>();
  private readonly consumers = new Map<string, NodeProto[]>();
  private readonly initializers = new Map<string, TensorProto>();
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;

  constructor(readonly graph: GraphProto) {
    for (const init of graph.initializer ?? []) this.initializers.set(init.name ?? '', init);
    for (const node of graph.node ?? []) {
      for (const output of node.output ?? []) this.producers.set(output, node);
      for (const input of node.input ?? []) {
        const list = this.consumers.get(input) ?? [];
        list.push(node);
        this.consumers.set(input, list);
      }
    }
    this.graphInputs = new Set((graph.input ?? []).map((i) => i.name ?? '').filter((n) => !this.initializers.has(n)));
    this.graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  }

  producer(tensor: string): NodeProto | undefined {
    return this.producers.get(tensor);
  }

  consumersOf(tensor: string): NodeProto[] {
    return this.consumers.get(tensor) ?? [];
  }

  initializer(name: string): TensorProto | undefined {
    return this.initializers.get(name);
  }

  /** True when the tensor does not depend on the graph inputs (any element type). */
  isConstant(tensor: string): boolean {
    if (this.initializers.has(tensor)) return true;
    const node = this.producers.get(tensor);
    if (!node) return false;
    if (node.opType === 'Constant') return true;
    if (node.opType === 'Identity' || node.opType === 'Cast' || node.opType === 'Transpose') {
      return this.isConstant(node.input?.[0] ?? '');
    }
    return false;
  }

  /** The float value of a constant tensor, or undefined when the tensor depends on the inputs. */
  constant(tensor: string): ConstantTensor | undefined {
    const init = this.initializers.get(tensor);
    if (init) return floatTensor(init, tensor);
    const node = this.producers.get(tensor);
    if (!node) return undefined;
    switch (node.opType) {
      case 'Constant': {
        const value = node.attribute?.find((a) => a.name === 'value');
        if (value?.t) return floatTensor(value.t, tensor);
        const scalar = node.attribute?.find((a) => a.name === 'value_float');
        if (scalar?.f !== undefined) return { dims: [], data: Float32Array.of(scalar.f), source: tensor };
        const list = node.attribute?.find((a) => a.name === 'value_floats');
        if (list?.floats) return { dims: [list.floats.length], data: Float32Array.from(list.floats), source: tensor };
        return undefined;
      }
      case 'Identity':
      case 'Cast':
        return this.constant(node.input?.[0] ?? '');
      case 'Transpose': {
        const inner = this.constant(node.input?.[0] ?? '');
        if (!inner || inner.dims.length !== 2) return undefined;
        const perm = attributeInts(node, 'perm');
        if (perm && perm.length === 2 && perm[0] === 0 && perm[1] === 1) return inner;
        return { ...transpose2d(inner), source: inner.source };
      }
      default:
        return undefined;
    }
  }
}

function floatTensor(tensor: TensorProto, name: string): ConstantTensor | undefined {
  if (tensor.dataType !== OnnxDataType.FLOAT && tensor.dataType !== OnnxDataType.DOUBLE) return undefined;
  return { dims: (tensor.dims ?? []).map(Number), data: tensorToFloat32(tensor), source: tensor.name ?? name };
}

/** Row-major [r, c] → [c, r]. */
export function transpose2d(matrix: { dims: number[]; data: Float32Array }): { dims: number[]; data: Float32Array } {
  const [rows, cols] = matrix.dims as [number, number];
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = matrix.data[r * cols + c] as number;
  return { dims: [cols, rows], data: out };
}
