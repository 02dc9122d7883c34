/**
 * Where each parameter enters the forward graph, classified by how its per-example gradient is formed:
 * linear layers (MatMul/Gemm weight, through Identity/Transpose as torch exports nn.Linear), embedding
 * Gathers, and elementwise uses (biases, LayerNorm scales, position tables: Add/Sub/Mul, Gemm's C).
 */
import { attributeFloat, attributeInt, NodeProto } from '../model/onnxProto';
import { GraphEmitter } from './graphEmitter';

interface UseBase {
  param: string;
  node: NodeProto;
}

export interface LinearUse extends UseBase {
  kind: 'linear';
  activation: string;
  /** The activation's feature axis (its K dim). */
  featureAxis: number;
  /** True when the parameter is stored [out, in] (torch nn.Linear), false for [in, out]. */
  outByIn: boolean;
  alpha: number;
}

export interface EmbeddingUse extends UseBase {
  kind: 'embedding';
  /** The token-id tensor. */
  activation: string;
}

export interface ElementwiseUse extends UseBase {
  kind: 'elementwise';
  /** d output / d param is `factor`·dy: Add → 1, Sub's subtrahend → −1, Mul → the other operand, Gemm C → β. */
  factor: { type: 'one' } | { type: 'negate' } | { type: 'tensor'; tensor: string } | { type: 'scalar'; value: number };
}

export type ParameterUse = LinearUse | EmbeddingUse | ElementwiseUse;

function traceToParam(name: string, producers: Map<string, NodeProto>, params: Set<string>): { param: string; transposed: boolean } | undefined {
  let transposed = false;
  for (let current = name; ; ) {
    if (params.has(current)) return { param: current, transposed };
    const producer = producers.get(current);
    if (!producer || !producer.input?.[0]) return undefined;
    if (producer.opType === 'Transpose') transposed = !transposed;
    else if (producer.opType !== 'Identity') return undefined;
    current = producer.input[0];
  }
}

function classify(emit: GraphEmitter, node: NodeProto, slot: number, param: string, transposed: boolean, isParam: (name: string) => boolean): ParameterUse | undefined {
  const inputs = node.input ?? [];
  const op = node.opType;
  if (op === 'Gather' && slot === 0 && !transposed && emit.rank(inputs[0]) === 2 && (attributeInt(node, 'axis') ?? 0) === 0) {
    return { kind: 'embedding', param, node, activation: inputs[1] };
  }
  if ((op === 'MatMul' || op === 'Gemm') && slot === 1 && emit.rank(inputs[1]) === 2 && !isParam(inputs[0])) {
    const transA = attributeInt(node, 'transA') ?? 0;
    const transB = op === 'Gemm' && (attributeInt(node, 'transB') ?? 0) === 1;
    return {
      kind: 'linear',
      param,
      node,
      activation: inputs[0],
      featureAxis: op === 'Gemm' && transA ? 0 : emit.rank(inputs[0]) - 1,
      outByIn: transB !== transposed,
      alpha: op === 'Gemm' ? attributeFloat(node, 'alpha') ?? 1 : 1,
    };
  }
  if (transposed) return undefined;
  if (op === 'Gemm' && slot === 2) return { kind: 'elementwise', param, node, factor: { type: 'scalar', value: attributeFloat(node, 'beta') ?? 1 } };
  if (op === 'Add') return { kind: 'elementwise', param, node, factor: { type: 'one' } };
  if (op === 'Sub') return { kind: 'elementwise', param, node, factor: slot === 0 ? { type: 'one' } : { type: 'negate' } };
  if (op === 'Mul' && !isParam(inputs[1 - slot])) return { kind: 'elementwise', param, node, factor: { type: 'tensor', tensor: inputs[1 - slot] } };
  return undefined;
}

/** Uses of `params`, and the params also used some other way (their per-example gradients would miss terms). */
export function findParameterUses(emit: GraphEmitter, nodes: NodeProto[], params: Set<string>): { uses: ParameterUse[]; otherwiseUsed: Set<string> } {
  const producers = new Map<string, NodeProto>();
  for (const node of nodes) for (const o of node.output ?? []) producers.set(o, node);
  const isParam = (name: string) => Boolean(name) && traceToParam(name, producers, params) !== undefined;
  const uses: ParameterUse[] = [];
  const otherwiseUsed = new Set<string>();
  for (const node of nodes) {
    if (node.opType === 'Identity' || node.opType === 'Transpose') continue; // links of a trace, not uses
    (node.input ?? []).forEach((input, slot) => {
      const traced = input ? traceToParam(input, producers, params) : undefined;
      if (!traced) return;
      const use = classify(emit, node, slot, traced.param, traced.transposed, isParam);
      if (use) uses.push(use);
      else otherwiseUsed.add(traced.param);
    });
  }
  return { uses, otherwiseUsed };
}
