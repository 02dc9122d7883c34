/**
 * What a model is, in one plain object: inputs and outputs with types and shapes, versions, op histogram,
 * parameters. Shown to the user before an audit and stored in the report's model summary.
 */
import { createHash } from 'node:crypto';
import { resolveCheckpoint } from './checkpoint';
import { GraphIndex } from './graphIndex';
import { loadModelFile } from './modelFile';
import { GraphProto } from './onnxProto';
import { HeadInfo, searchHead } from './linearHead';
import { makeOutputsTensors, zipMapSource } from './tensorOutputs';
import { describeValue, elementTypeName, ValueDescription } from './valueTypes';

export interface OutputDescription extends ValueDescription {
  /** For a non-tensor output made by ZipMap: the tensor feeding it, which prepareModel outputs instead. */
  tensorSource?: { tensor: string; op: string; node: string };
}

export interface InitializerDescription {
  name: string;
  dims: number[];
  type: string;
}

export type HeadSummary = Pick<HeadInfo, 'node' | 'op' | 'inputDim' | 'outputDim' | 'featureTensor' | 'logitsTensor' | 'kind' | 'activation'>;

export interface ModelInspection {
  file: string;
  sizeBytes: number;
  sha256: string;
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  inputs: ValueDescription[];
  outputs: OutputDescription[];
  /** Node count per op type, including nodes inside subgraphs (If/Loop/Scan bodies). */
  opCounts: Record<string, number>;
  nodeCount: number;
  /** Sum of initializer element counts. */
  parameterCount: number;
  initializers: InitializerDescription[];
  /** The final linear layer (weights left out: prepareModel reads them), when there is one. */
  head?: HeadSummary;
  headMissingReason?: string;
  /** Things the user should know (e.g. a ZipMap output that will be read through its input tensor). */
  notes: string[];
}

/** Inspects an .onnx file or a checkpoint folder; throws PolicyTraceError for anything unusable. */
export async function inspectModel(modelPath: string): Promise<ModelInspection> {
  const checkpoint = await resolveCheckpoint(modelPath);
  const { file, bytes, model, graph } = await loadModelFile(checkpoint.modelPath);
  const index = new GraphIndex(graph);
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const notes: string[] = [];
  const outputs = (graph.output ?? []).map((info): OutputDescription => {
    const description = describeValue(info);
    if (description.isTensor) return description;
    const source = zipMapSource(index, description.name);
    if (!source) {
      notes.push(`output '${description.name}' is a ${description.type}; onnxruntime-node cannot return it, so it is skipped`);
      return description;
    }
    notes.push(
      `output '${description.name}' is a ${description.type} made by ZipMap node '${source.node}'; onnxruntime-node ` +
        `cannot return it, so PolicyTrace reads '${source.tensor}' (the probabilities tensor feeding it) instead`,
    );
    return { ...description, tensorSource: { tensor: source.tensor, op: 'ZipMap', node: source.node } };
  });
  const initializers = (graph.initializer ?? []).map((t) => ({
    name: t.name ?? '',
    dims: (t.dims ?? []).map(Number),
    type: elementTypeName(t.dataType),
  }));
  const opCounts: Record<string, number> = {};
  const nodeCount = countOps(graph, opCounts);
  const headSearch = findHead(graph, file);
  return {
    file,
    sizeBytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    irVersion: model.irVersion ?? 0,
    opsets: (model.opsetImport ?? []).map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version ?? 0 })),
    producer: { name: model.producerName ?? '', version: model.producerVersion ?? '' },
    inputs: (graph.input ?? []).filter((i) => !initializerNames.has(i.name ?? '')).map(describeValue),
    outputs,
    opCounts,
    nodeCount,
    parameterCount: initializers.reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0),
    initializers,
    ...(headSearch.head ? { head: summarizeHead(headSearch.head) } : { headMissingReason: headSearch.reason }),
    notes,
  };
}

/** The head as prepareModel will find it: searched after non-tensor outputs are replaced (on this decoded copy). */
function findHead(graph: GraphProto, file: string): { head?: HeadInfo; reason: string } {
  try {
    makeOutputsTensors(graph, file);
  } catch (error) {
    return { reason: (error as Error).message };
  }
  return searchHead(new GraphIndex(graph), graph.output ?? []);
}

function summarizeHead(head: HeadInfo): HeadSummary {
  const { node, op, inputDim, outputDim, featureTensor, logitsTensor, kind, activation } = head;
  return { node, op, inputDim, outputDim, featureTensor, logitsTensor, kind, activation };
}

function countOps(graph: GraphProto, counts: Record<string, number>): number {
  let total = 0;
  for (const node of graph.node ?? []) {
    const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.opType}` : node.opType ?? '?';
    counts[op] = (counts[op] ?? 0) + 1;
    total++;
    for (const attr of node.attribute ?? []) if (attr.g) total += countOps(attr.g, counts);
  }
  return total;
}
