/**
 * The output pathway of a causal LM: the initializers of the layer that makes the logits (lm_head weight, and
 * its bias when there is an Add after the MatMul). Everything else (embeddings, attention, MLPs, norms) is the
 * feature pathway.
 */
import { PolicyTraceError } from '../../errors';
import type { ModelProto } from '../../model/onnxProto';

const LINEAR_OPS = new Set(['MatMul', 'Gemm']);
const VIEW_OPS = new Set(['Transpose', 'Identity', 'Cast']);

export function findLmHeadParams(model: ModelProto, logitsTensor?: string): string[] {
  const graph = model.graph ?? {};
  const logits = logitsTensor ?? graph.output?.find((o) => o.name === 'logits')?.name ?? graph.output?.[0]?.name;
  const initializers = new Set((graph.initializer ?? []).map((t) => t.name));
  const producers = new Map<string, NonNullable<typeof graph.node>[number]>();
  for (const node of graph.node ?? []) for (const output of node.output ?? []) producers.set(output, node);
  const params: string[] = [];
  let node = logits ? producers.get(logits) : undefined;
  // Walk back through a bias Add (or a Transpose/Identity of the weight's result) to the linear op.
  for (let hops = 0; node && hops < 3 && !LINEAR_OPS.has(node.opType ?? ''); hops++) {
    const inputs = node.input ?? [];
    params.push(...inputs.filter((name) => initializers.has(name)));
    node = inputs.map((name) => producers.get(name)).find((p) => p !== undefined);
  }
  if (!node || !LINEAR_OPS.has(node.opType ?? '')) {
    throw new PolicyTraceError(`cannot find the linear layer that makes the logits '${logits ?? '?'}': name the head parameters`, { field: 'headParams' }, 'chat.full-model');
  }
  for (const name of node.input ?? []) {
    // torch exports Linear(bias=False) as MatMul(x, Transpose(weight)).
    const viewed = producers.get(name);
    const source = viewed && VIEW_OPS.has(viewed.opType ?? '') ? viewed.input?.[0] : name;
    if (source && initializers.has(source)) params.push(source);
  }
  if (params.length === 0) {
    throw new PolicyTraceError(`the layer '${node.name ?? '?'}' that makes the logits has no initializer weight (tied embeddings?): name the head parameters`, { node: node.name, op: node.opType }, 'chat.full-model');
  }
  return [...new Set(params)];
}
