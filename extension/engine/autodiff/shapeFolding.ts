/**
 * Folds the forward graph's shape arithmetic into constants once probe shapes are assumed (see
 * GraphEmitter.assumeProbeShapes). Exporters compute reshape targets and slice bounds at run time
 * (Shape → Gather → Unsqueeze → Concat → Reshape, a dozen kernels per attention layer); with every dim but
 * the batch fixed, a Reshape target is the probe dims with −1 on the batch axis, and any batch-invariant
 * integer tensor (a head size, a q/k/v slice bound) is the value the probe saw. The chains that computed them
 * are then dead and `removeDeadNodes` drops them. The result equals the original graph on every input shaped
 * like the probe's but for the batch size, which per-example outputs already require.
 */
import { NodeProto, OnnxDataType } from '../model/onnxProto';
import { GraphEmitter, subgraphsOf } from './graphEmitter';

/** Inputs that hold a target shape whose batch entry may be −1 (ONNX infers it from the element count). */
function isReshapeTarget(node: NodeProto, index: number): boolean {
  return node.opType === 'Reshape' && index === 1;
}

/**
 * Rewrites, in place, the integer inputs of `forwardNodes` that the probe showed to be fixed; returns how many
 * inputs were replaced. The integer-only nodes that computed them are marked removable when dead.
 */
export function foldForwardShapeArithmetic(emit: GraphEmitter, forwardNodes: readonly NodeProto[]): number {
  const initializers = new Set((emit.graph.initializer ?? []).map((t) => t.name));
  const producers = new Map<string, NodeProto>();
  for (const node of forwardNodes) for (const output of node.output ?? []) if (output) producers.set(output, node);
  let replaced = 0;
  const folded: string[] = [];
  for (const node of forwardNodes) {
    // A subgraph reads outer tensors implicitly; leave control flow as it is.
    if (subgraphsOf(node).length > 0) continue;
    const inputs = node.input ?? [];
    inputs.forEach((input, index) => {
      if (!input || initializers.has(input) || !producers.has(input)) return;
      const constant = foldedValue(emit, node, index, input);
      if (constant === undefined) return;
      inputs[index] = constant;
      folded.push(input);
      replaced++;
    });
  }
  markIntegerProducersRemovable(emit, folded, producers);
  return replaced;
}

/** The constant that may stand for `input` of `node`, or undefined when its value depends on the run. */
function foldedValue(emit: GraphEmitter, node: NodeProto, index: number, input: string): string | undefined {
  const info = emit.infos.get(input);
  if (info?.dataType !== OnnxDataType.INT64 || info.dims.length > 1) return undefined;
  if (isReshapeTarget(node, index)) {
    const output = node.output?.[0];
    const dims = output ? emit.batchOpenDims(output) : undefined;
    // A 0 would mean "copy the input's dim" (allowzero 0) or an empty tensor: leave those to run time.
    if (dims && !dims.includes(0)) return constant(emit, dims, [dims.length]);
  }
  const values = emit.invariantValues(input);
  return values ? constant(emit, values, info.dims) : undefined;
}

/** An int64 constant that gradient rules can also look up (Slice's rule reads its inputs' infos). */
function constant(emit: GraphEmitter, values: number[], dims: number[]): string {
  const name = emit.ints(values, dims);
  emit.infos.set(name, { dataType: OnnxDataType.INT64, dims });
  return name;
}

/**
 * Walks from the folded tensors up through integer tensors (stopping at float data, whose producers the
 * forward still needs) and lets `removeDeadNodes` drop those producers once nothing reads them.
 */
function markIntegerProducersRemovable(emit: GraphEmitter, folded: string[], producers: Map<string, NodeProto>): void {
  const pending = [...folded];
  const seen = new Set<string>();
  while (pending.length > 0) {
    const tensor = pending.pop()!;
    if (seen.has(tensor)) continue;
    seen.add(tensor);
    const producer = producers.get(tensor);
    if (!producer || !(producer.output ?? []).every((o) => !o || isShapeValue(emit, o))) continue;
    emit.markRemovable(producer);
    for (const input of producer.input ?? []) if (input && isShapeValue(emit, input)) pending.push(input);
  }
}

/** A small integer tensor (what shape arithmetic computes), as opposed to data. */
function isShapeValue(emit: GraphEmitter, tensor: string): boolean {
  const info = emit.infos.get(tensor);
  return Boolean(info && (info.dataType === OnnxDataType.INT64 || info.dataType === OnnxDataType.INT32) && info.dims.length <= 1);
}
