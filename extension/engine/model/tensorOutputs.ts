/**
 * Making every graph output a tensor. onnxruntime-node cannot return sequences or maps ("Non tensor type
 * is temporarily not supported"); skl2onnx classifiers end in ZipMap, which turns a probabilities tensor
 * into a sequence of {class: p} maps. We output the tensor that feeds ZipMap instead, and drop other
 * non-tensor outputs as long as some tensor output remains.
 */
import { PolicyTraceError } from '../errors';
import { GraphIndex } from './graphIndex';
import { GraphProto, OnnxDataType, ValueInfoProto } from './onnxProto';
import { describeType } from './valueTypes';

export interface ReplacedOutput {
  /** The non-tensor output that was removed. */
  output: string;
  /** The tensor output that stands in for it. */
  by: string;
  op: string;
  node: string;
}

export interface DroppedOutput {
  output: string;
  reason: string;
}

export interface TensorOutputPlan {
  replaced: ReplacedOutput[];
  dropped: DroppedOutput[];
}

/** What a non-tensor output would be replaced by, without changing the graph (inspection uses this). */
export function zipMapSource(index: GraphIndex, output: string): { tensor: string; node: string } | undefined {
  const producer = index.producer(output);
  if (producer?.opType !== 'ZipMap') return undefined;
  return { tensor: producer.input?.[0] ?? '', node: producer.name ?? '' };
}

/** Rewrites `graph` in place so all its outputs are tensors; throws when none would be left. */
export function makeOutputsTensors(graph: GraphProto, label: string): TensorOutputPlan {
  const index = new GraphIndex(graph);
  const plan: TensorOutputPlan = { replaced: [], dropped: [] };
  const outputs: ValueInfoProto[] = [];
  const names = new Set((graph.output ?? []).filter((o) => o.type?.tensorType).map((o) => o.name ?? ''));
  for (const output of graph.output ?? []) {
    const name = output.name ?? '';
    if (output.type?.tensorType) {
      outputs.push(output);
      continue;
    }
    const source = zipMapSource(index, name);
    if (source) {
      if (!names.has(source.tensor)) {
        names.add(source.tensor);
        outputs.push({ name: source.tensor, type: { tensorType: { elemType: OnnxDataType.FLOAT } } });
      }
      plan.replaced.push({ output: name, by: source.tensor, op: 'ZipMap', node: source.node });
      if (index.consumersOf(name).length === 0) {
        graph.node = (graph.node ?? []).filter((n) => !(n.opType === 'ZipMap' && n.output?.[0] === name));
      }
      continue;
    }
    const producer = index.producer(name);
    plan.dropped.push({
      output: name,
      reason: `output '${name}' is a ${describeType(output.type)}${producer ? ` made by ${producer.opType} node '${producer.name}'` : ''}; onnxruntime-node returns tensors only`,
    });
  }
  if (outputs.length === 0) {
    const first = plan.dropped[0];
    throw new PolicyTraceError(
      `the model has no tensor outputs: ${first?.reason ?? 'no outputs'}. Expose the tensor that feeds it as a graph output.`,
      { file: label },
      'non-tensor-output',
    );
  }
  graph.output = outputs;
  return plan;
}
