/**
 * Below opset 17 torch exports LayerNorm decomposed: m = ReduceMean(x), d = x − m, v = ReduceMean(d²),
 * n = d / √(v + ε), then ·γ + β. onnxruntime fuses that chain into one LayerNormalization kernel for
 * inference, but not in a gradient graph, where every intermediate is kept for the backward pass (seven
 * forward and about sixteen backward kernels per norm). For featurization the chain up to n is replaced
 * here by LayerNormalization(x, 1, 0) with its Mean and InvStdDev outputs (onnxruntime registers the op in
 * the default domain from version 1), whose rule then needs about seven kernels. ·γ and +β stay separate
 * nodes, so γ's and β's per-example gradients are found exactly as before.
 */
import { attributeInt, attributeInts, NodeProto, OnnxDataType } from '../../model/onnxProto';
import { constantLookup } from '../constants';
import { GraphEmitter } from '../graphEmitter';
import { BatchLayout } from '../probe';

interface DecomposedNorm {
  /** The seven nodes, in graph order: ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div. */
  nodes: NodeProto[];
  x: string;
  mean: string;
  sqrt: string;
  normalized: string;
  epsilon: number;
}

function onlyOutput(node: NodeProto | undefined): string | undefined {
  return node?.output?.length === 1 ? node.output[0] : undefined;
}

/** A last-axis-only ReduceMean with keepdims (attribute axes, or the axes input from opset 18), on a tensor of known rank. */
function isLastAxisMean(node: NodeProto | undefined, constants: (name: string) => number[] | undefined, emit: GraphEmitter): boolean {
  if (node?.opType !== 'ReduceMean' || (attributeInt(node, 'keepdims') ?? 1) !== 1 || !node.input?.[0]) return false;
  const axes = attributeInts(node, 'axes') ?? (node.input[1] ? constants(node.input[1]) : undefined);
  const rank = emit.infos.get(node.input[0])?.dims.length;
  return rank !== undefined && axes?.length === 1 && (axes[0] === -1 || axes[0] === rank - 1);
}

function match(
  emit: GraphEmitter,
  mean: NodeProto,
  consumers: Map<string, NodeProto[]>,
  outputs: Set<string>,
  constants: (name: string) => number[] | undefined,
): DecomposedNorm | undefined {
  const x = mean.input?.[0];
  const meanOut = onlyOutput(mean);
  // Each intermediate must feed only the next step (and the centred value only the square and the division).
  const next = (tensor: string | undefined, count = 1): NodeProto[] | undefined => {
    const users = tensor ? consumers.get(tensor) ?? [] : [];
    return tensor && !outputs.has(tensor) && users.length === count ? users : undefined;
  };
  const [sub] = next(meanOut) ?? [];
  if (!x || sub?.opType !== 'Sub' || sub.input?.[0] !== x || sub.input?.[1] !== meanOut) return undefined;
  const centred = onlyOutput(sub);
  const users = next(centred, 2);
  const pow = users?.find((n) => n.opType === 'Pow');
  const div = users?.find((n) => n.opType === 'Div');
  if (!pow || !div || pow.input?.[0] !== centred || constants(pow.input?.[1] ?? '')?.join() !== '2' || div.input?.[0] !== centred) return undefined;
  const [variance] = next(onlyOutput(pow)) ?? [];
  if (!isLastAxisMean(variance, constants, emit)) return undefined;
  const [add] = next(onlyOutput(variance)) ?? [];
  const varianceOut = onlyOutput(variance);
  const epsilonInput = add?.input?.find((i) => i !== varianceOut);
  const epsilon = epsilonInput ? constants(epsilonInput) : undefined;
  if (add?.opType !== 'Add' || add.input?.length !== 2 || !epsilon || epsilon.length !== 1) return undefined;
  const [sqrt] = next(onlyOutput(add)) ?? [];
  if (sqrt?.opType !== 'Sqrt' || !next(onlyOutput(sqrt))?.includes(div) || div.input?.[1] !== onlyOutput(sqrt)) return undefined;
  const normalized = onlyOutput(div);
  if (!normalized) return undefined;
  return { nodes: [mean, sub, pow, variance!, add, sqrt, div], x, mean: meanOut!, sqrt: onlyOutput(sqrt)!, normalized, epsilon: epsilon[0] };
}

/**
 * Replaces every decomposed last-axis LayerNorm core in the emitter's graph (float32, probe dims known) by
 * one LayerNormalization node. Tensor names x, mean and n are kept (so probe infos and layouts stay valid);
 * the InvStdDev output gets the probe info of the √ it replaces. Returns how many were fused.
 */
export function fuseDecomposedLayerNorms(emit: GraphEmitter, layouts: Map<string, BatchLayout>): number {
  const graph = emit.graph;
  const nodes = graph.node ?? [];
  const constants = constantLookup(graph);
  const consumers = new Map<string, NodeProto[]>();
  for (const node of nodes) for (const input of node.input ?? []) if (input) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const replaced = new Map<NodeProto, NodeProto | null>();
  for (const node of nodes) {
    if (replaced.has(node) || !isLastAxisMean(node, constants, emit)) continue;
    const norm = match(emit, node, consumers, outputs, constants);
    const info = norm && emit.infos.get(norm.x);
    // float only: onnxruntime's Mean/InvStdDev outputs are float whatever X is.
    if (!norm || !info || info.dataType !== OnnxDataType.FLOAT) continue;
    const features = info.dims[info.dims.length - 1];
    const invStdDev = emit.freshName('InvStdDev');
    emit.infos.set(invStdDev, emit.info(norm.sqrt));
    const sqrtLayout = layouts.get(norm.sqrt);
    if (sqrtLayout) layouts.set(invStdDev, sqrtLayout);
    const fused: NodeProto = {
      name: emit.freshName('LayerNormalization_fused'),
      opType: 'LayerNormalization',
      input: [norm.x, emit.filled(1, [features], info.dataType), emit.filled(0, [features], info.dataType)],
      output: [norm.normalized, norm.mean, invStdDev],
      attribute: [
        { name: 'axis', type: 2, i: -1 },
        { name: 'epsilon', type: 1, f: norm.epsilon },
      ],
    };
    norm.nodes.forEach((n, i) => replaced.set(n, i === norm.nodes.length - 1 ? fused : null));
  }
  // The fused node takes the Div's place: after everything x depends on, before every user of n.
  graph.node = nodes.flatMap((n) => (replaced.has(n) ? (replaced.get(n) ? [replaced.get(n)!] : []) : [n]));
  return [...replaced.values()].filter(Boolean).length;
}
