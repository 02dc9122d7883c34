/**
 * Graph surgery before a model is run: make every output a tensor (ZipMap → its probabilities), find the
 * linear head, and expose the head's input (penultimate features) and output (logits) as extra graph
 * outputs, so one forward pass yields predictions, logits and features together.
 */
import { GraphIndex } from './graphIndex';
import { HeadInfo, isFloatOutput, searchHead } from './linearHead';
import { assertNoExternalData, decodeModelBytes } from './modelFile';
import { encodeModel, GraphProto, OnnxDataType, ValueInfoProto } from './onnxProto';
import { DroppedOutput, makeOutputsTensors, ReplacedOutput } from './tensorOutputs';

export interface PrepareOptions {
  /** Names the model in messages (its path). */
  file?: string;
  /** The output to look for a head behind; default: the first float output that has one, then any output. */
  output?: string;
  /** Add features/logits outputs (default true). False only makes the outputs tensors. */
  exposeHead?: boolean;
}

export interface PreparedOutputs {
  /** Every output of the prepared graph, in order (all tensors). */
  names: string[];
  /** The output to read predictions from: the one the head sits behind, else the first float output. */
  prediction: string;
  /** Graph output holding the head's logits [batch, C], when a head was found. */
  logits?: string;
  /** Graph output holding the penultimate features [batch, d], when a head was found. */
  features?: string;
  replaced: ReplacedOutput[];
  dropped: DroppedOutput[];
}

export interface PreparedModel {
  bytes: Uint8Array;
  head?: HeadInfo;
  headMissingReason?: string;
  outputs: PreparedOutputs;
}

/** Prefix for outputs we add through an Identity (a graph input cannot be a graph output under its own name). */
const EXPOSED_PREFIX = 'policytrace/';

export function prepareModel(bytes: Uint8Array, options: PrepareOptions = {}): PreparedModel {
  const label = options.file ?? 'model bytes';
  const model = decodeModelBytes(bytes, label);
  const graph = model.graph as GraphProto;
  assertNoExternalData(graph, label);
  const { replaced, dropped } = makeOutputsTensors(graph, label);
  const index = new GraphIndex(graph);
  const search = searchHead(index, graph.output ?? [], options.output);
  const outputs: PreparedOutputs = {
    names: [],
    prediction: search.head?.outputTensor ?? firstFloatOutput(graph) ?? (graph.output?.[0]?.name as string),
    replaced,
    dropped,
  };
  const head = search.head;
  if (head && options.exposeHead !== false) {
    // The features and logits have the head weight's element type (float32, or float64 for double models).
    const elemType = index.initializer(head.weightSource)?.dataType ?? OnnxDataType.FLOAT;
    outputs.features = exposeTensor(graph, index, head.featureTensor, elemType);
    outputs.logits = exposeTensor(graph, index, head.logitsTensor, elemType);
  }
  outputs.names = (graph.output ?? []).map((o) => o.name ?? '');
  return {
    bytes: encodeModel(model),
    outputs,
    ...(head ? { head } : { headMissingReason: search.reason }),
  };
}

/** Adds `tensor` as a graph output (through an Identity when it is a graph input) and returns the output name. */
function exposeTensor(graph: GraphProto, index: GraphIndex, tensor: string, elemType: number): string {
  if (index.graphOutputs.has(tensor)) return tensor;
  let name = tensor;
  if (index.graphInputs.has(tensor)) {
    name = `${EXPOSED_PREFIX}${tensor}`;
    graph.node = [...(graph.node ?? []), { name: `${EXPOSED_PREFIX}expose_${tensor}`, opType: 'Identity', input: [tensor], output: [name] }];
  }
  const info: ValueInfoProto = { name, type: { tensorType: { elemType } } };
  graph.output = [...(graph.output ?? []), info];
  index.graphOutputs.add(name);
  return name;
}

function firstFloatOutput(graph: GraphProto): string | undefined {
  return graph.output?.find(isFloatOutput)?.name;
}
