/**
 * Finding the model's final linear layer ("head") behind an output: walk back from the output through
 * shape-only ops, one activation (Softmax, LogSoftmax, Sigmoid) and decision ops (a threshold or ArgMax)
 * to a Gemm, a MatMul (+ Add), or a scalar Mul (+ Add); read its weights as W (C × d, row = class) and b (C).
 * Head-only attribution and exact head retraining both need exactly this: the penultimate features, the
 * logits and the head's parameters.
 */
import { ConstantTensor, GraphIndex, transpose2d } from './graphIndex';
import { attributeFloat, attributeInt, NodeProto, OnnxDataType, ValueInfoProto } from './onnxProto';

export type HeadKind = 'softmax' | 'sigmoid' | 'logits';
export type HeadActivation = 'Softmax' | 'LogSoftmax' | 'Sigmoid' | 'none';

export interface HeadInfo {
  /** Name and op of the node that multiplies by W (Gemm, MatMul, or Mul for a scalar-weight head). */
  node: string;
  op: 'Gemm' | 'MatMul' | 'Mul';
  /** The Add node that adds b, when the bias is separate from the multiply. */
  biasNode?: string;
  /** Penultimate features: the head's input, [batch, d]. */
  featureTensor: string;
  /** Pre-activation scores: the head's output, [batch, C]. */
  logitsTensor: string;
  /** The graph output this head was found behind. */
  outputTensor: string;
  /**
   * How logits become probabilities: 'softmax' (a Softmax/LogSoftmax follows), 'sigmoid' (a Sigmoid follows,
   * or a single logit column — a one-row binary head), 'logits' (several raw scores, no activation in the graph).
   */
  kind: HeadKind;
  activation: HeadActivation;
  /** Ops between the logits and the output, in graph order (e.g. ['Softmax'], ['GreaterOrEqual', 'Cast']). */
  postOps: string[];
  /** d */
  inputDim: number;
  /** C */
  outputDim: number;
  /** C × d row-major, row c = the weights of class c; Gemm's alpha is folded in. */
  weight: Float32Array;
  /** C values; zeros when the layer has no bias; Gemm's beta is folded in. */
  bias: Float32Array;
  weightSource: string;
  biasSource?: string;
}

export type HeadSearch = { head: HeadInfo } | { reason: string };

/** Ops that only reshape or relabel values: the head's logits pass through them unchanged. */
const SHAPE_OPS = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Cast']);
const ACTIVATIONS = new Set<HeadActivation>(['Softmax', 'LogSoftmax', 'Sigmoid']);
/** Ops that turn scores into a decision; the scores are their first (non-constant) input. */
const DECISIONS = new Set(['ArgMax', 'GreaterOrEqual', 'Greater', 'Less', 'LessOrEqual', 'Sign']);

/**
 * Looks for a head behind `requested`, or else behind each output in turn: float outputs first (scores),
 * then the rest (decisions such as a thresholded bool). The first head found wins.
 */
export function searchHead(index: GraphIndex, outputs: ValueInfoProto[], requested?: string): { head?: HeadInfo; reason: string } {
  const candidates = requested
    ? outputs.filter((o) => o.name === requested)
    : [...outputs.filter(isFloatOutput), ...outputs.filter((o) => !isFloatOutput(o))];
  if (requested && candidates.length === 0) {
    return { reason: `the model has no output '${requested}' (outputs: ${outputs.map((o) => o.name).join(', ')})` };
  }
  const reasons: string[] = [];
  for (const output of candidates) {
    const result = findLinearHead(index, output.name ?? '', lastDim(output));
    if ('head' in result) return { head: result.head, reason: '' };
    if (!reasons.includes(result.reason)) reasons.push(result.reason);
  }
  return { reason: `no linear head: ${reasons.join('; ')}` };
}

export function isFloatOutput(output: ValueInfoProto): boolean {
  const elemType = output.type?.tensorType?.elemType;
  return elemType === OnnxDataType.FLOAT || elemType === OnnxDataType.DOUBLE || elemType === OnnxDataType.FLOAT16;
}

function lastDim(output: ValueInfoProto): number | undefined {
  const dims = output.type?.tensorType?.shape?.dim;
  const last = dims?.[dims.length - 1];
  return typeof last?.dimValue === 'number' && last.dimValue > 0 ? last.dimValue : undefined;
}

export function findLinearHead(index: GraphIndex, outputTensor: string, outputLastDim?: number): HeadSearch {
  const postOps: string[] = [];
  let activation: HeadActivation = 'none';
  let tensor = outputTensor;
  for (let step = 0; step < 64; step++) {
    const node = index.producer(tensor);
    if (!node) return { reason: `output '${outputTensor}' is read straight from graph input '${tensor}': there is no layer` };
    const op = node.opType ?? '';
    if (SHAPE_OPS.has(op) || DECISIONS.has(op) || ACTIVATIONS.has(op as HeadActivation)) {
      if (ACTIVATIONS.has(op as HeadActivation)) {
        if (activation !== 'none') return { reason: `two activations (${activation}, ${op}) before output '${outputTensor}'` };
        activation = op as HeadActivation;
      }
      postOps.unshift(op);
      const next = variableInput(index, node);
      if (next === undefined) return { reason: `${op} node '${node.name}' has no non-constant input` };
      tensor = next;
      continue;
    }
    const found = readLinear(index, node, tensor, outputLastDim, postOps);
    if ('reason' in found) return found;
    const outputDim = found.outputDim;
    const kind: HeadKind =
      activation === 'Softmax' || activation === 'LogSoftmax' ? 'softmax' : activation === 'Sigmoid' || outputDim === 1 ? 'sigmoid' : 'logits';
    return { head: { ...found, logitsTensor: tensor, outputTensor, kind, activation, postOps } };
  }
  return { reason: `no linear layer within 64 nodes of output '${outputTensor}'` };
}

type LinearParts = Omit<HeadInfo, 'logitsTensor' | 'outputTensor' | 'kind' | 'activation' | 'postOps'>;

function readLinear(
  index: GraphIndex,
  node: NodeProto,
  logits: string,
  outputLastDim: number | undefined,
  postOps: string[],
): LinearParts | { reason: string } {
  const op = node.opType ?? '';
  if (op === 'Gemm') return readGemm(index, node);
  if (op === 'MatMul') return readMatMul(index, node, undefined, undefined);
  if (op === 'Add') {
    const biasInput = (node.input ?? []).find((name) => index.constant(name) !== undefined);
    const other = (node.input ?? []).find((name) => name !== biasInput);
    const inner = other !== undefined ? index.producer(other) : undefined;
    const bias = biasInput !== undefined ? index.constant(biasInput) : undefined;
    if (bias && inner?.opType === 'MatMul') return readMatMul(index, inner, node, bias);
    if (bias && inner?.opType === 'Mul') {
      // A scalar-weight head only keeps its width when nothing after it reshapes, so the output's last dim is C.
      const shapeKept = postOps.every((p) => p !== 'Reshape' && p !== 'Flatten' && p !== 'Squeeze' && p !== 'Unsqueeze' && p !== 'ArgMax');
      return readScalarMul(index, inner, node, bias, shapeKept ? outputLastDim : undefined);
    }
    return { reason: `the scores behind the output come from an Add node '${node.name}' that is not MatMul/Mul + constant bias` };
  }
  return { reason: `the output '${logits}' comes from ${op} node '${node.name}', not from a linear layer (Gemm, or MatMul + Add)` };
}

function readGemm(index: GraphIndex, node: NodeProto): LinearParts | { reason: string } {
  const [features, weightName, biasName] = node.input ?? [];
  if (attributeInt(node, 'transA')) return { reason: `Gemm node '${node.name}' has transA=1 (features transposed): not a classifier head` };
  const weight = index.constant(weightName ?? '');
  if (!weight || weight.dims.length !== 2) return { reason: `Gemm node '${node.name}' has no constant 2-D weight` };
  const alpha = attributeFloat(node, 'alpha') ?? 1;
  const beta = attributeFloat(node, 'beta') ?? 1;
  // ONNX Gemm computes A·B' (B' = Bᵀ when transB=1), so B is [C, d] with transB=1 and [d, C] without.
  const rowsAreClasses = attributeInt(node, 'transB') === 1 ? weight : transpose2d(weight);
  const [outputDim, inputDim] = rowsAreClasses.dims as [number, number];
  const bias = biasName ? index.constant(biasName) : undefined;
  if (biasName && !bias) return { reason: `Gemm node '${node.name}' has a bias '${biasName}' that is not constant` };
  if (bias && !biasFits(bias, outputDim)) return { reason: `Gemm node '${node.name}' bias [${bias.dims}] does not fit ${outputDim} classes` };
  return {
    node: node.name ?? '',
    op: 'Gemm',
    featureTensor: features ?? '',
    inputDim,
    outputDim,
    weight: scale(rowsAreClasses.data, alpha),
    bias: scale(broadcastBias(bias, outputDim), beta),
    weightSource: weight.source,
    ...(bias && { biasSource: bias.source }),
  };
}

function readMatMul(index: GraphIndex, matmul: NodeProto, add: NodeProto | undefined, bias: ConstantTensor | undefined): LinearParts | { reason: string } {
  const [features, weightName] = matmul.input ?? [];
  const weight = index.constant(weightName ?? '');
  if (!weight) return { reason: `MatMul node '${matmul.name}' multiplies by '${weightName}', which is not a constant weight` };
  if (weight.dims.length !== 2) return { reason: `MatMul node '${matmul.name}' has a ${weight.dims.length}-D weight, expected [d, C]` };
  const [inputDim, outputDim] = weight.dims as [number, number];
  if (bias && !biasFits(bias, outputDim)) return { reason: `bias '${bias.source}' of shape [${bias.dims}] does not fit ${outputDim} classes` };
  return {
    node: matmul.name ?? '',
    op: 'MatMul',
    ...(add && { biasNode: add.name ?? '' }),
    featureTensor: features ?? '',
    inputDim,
    outputDim,
    weight: transpose2d(weight).data,
    bias: broadcastBias(bias, outputDim),
    weightSource: weight.source,
    ...(bias && { biasSource: bias.source }),
  };
}

/** logits = w ⊙ x + b with a scalar or per-feature w: a diagonal C × C head (tiny_sentiment's sentiment_sum). */
function readScalarMul(index: GraphIndex, mul: NodeProto, add: NodeProto, bias: ConstantTensor, outputLastDim: number | undefined): LinearParts | { reason: string } {
  const weightName = (mul.input ?? []).find((name) => index.constant(name) !== undefined);
  const features = (mul.input ?? []).find((name) => name !== weightName);
  const weight = weightName !== undefined ? index.constant(weightName) : undefined;
  if (!weight || features === undefined) return { reason: `Mul node '${mul.name}' has no constant weight` };
  const width = Math.max(weight.data.length, bias.data.length, outputLastDim ?? 0);
  const widthKnown = weight.data.length > 1 || bias.data.length > 1 || outputLastDim !== undefined;
  if (!widthKnown) return { reason: `Mul node '${mul.name}' scales by a scalar but the number of classes is not declared anywhere` };
  if (!biasFits(weight, width) || !biasFits(bias, width)) return { reason: `Mul node '${mul.name}' weight and bias widths disagree` };
  const diagonal = new Float32Array(width * width);
  for (let c = 0; c < width; c++) diagonal[c * width + c] = weight.data[weight.data.length === 1 ? 0 : c] as number;
  return {
    node: mul.name ?? '',
    op: 'Mul',
    biasNode: add.name ?? '',
    featureTensor: features,
    inputDim: width,
    outputDim: width,
    weight: diagonal,
    bias: broadcastBias(bias, width),
    weightSource: weight.source,
    biasSource: bias.source,
  };
}

/** The first input that is not a constant (the data path through an op). */
function variableInput(index: GraphIndex, node: NodeProto): string | undefined {
  return (node.input ?? []).find((name) => name !== '' && !index.isConstant(name));
}

function biasFits(bias: ConstantTensor, classes: number): boolean {
  return bias.data.length === 1 || bias.data.length === classes;
}

function broadcastBias(bias: ConstantTensor | undefined, classes: number): Float32Array {
  if (!bias) return new Float32Array(classes);
  if (bias.data.length === classes) return Float32Array.from(bias.data);
  return new Float32Array(classes).fill(bias.data[0] ?? 0);
}

function scale(values: Float32Array, factor: number): Float32Array {
  return factor === 1 ? Float32Array.from(values) : values.map((v) => v * factor);
}
