/**
 * The small ONNX graphs that do the LM head's big products inside onnxruntime (plain JS loops are ~100×
 * slower at V × d × tokens). All take token rows H̃ [n, cols] and the head W̃ [V, cols] as inputs, so one
 * session serves every head during retraining. Opset 13, float32.
 *   lossGrad:  logp[t] = log softmax(W̃ h̃_t)[y_t];  grad = Σ_t w_t (p_t − e_{y_t}) h̃_tᵀ        [V, cols];
 *              top[t] = argmax_v (W̃ h̃_t)_v (the greedy next token)
 *   score:     s[t] = (p_t − e_{y_t})ᵀ R h̃_t   (so ⟨R, G_i⟩ = Σ_{t ∈ i} s[t] without forming any G_i)
 *   curvature: PᵀP [V, V], Σ_t p_t [V], H̃ᵀH̃ [cols, cols]   (the K-FAC factors' sums)
 *   ekfac:     Σ_s (U_Bᵀ G_s U_A)²  over padded sequences [S, T, cols]                          [V, cols]
 */
import { encodeModel, type GraphProto, type NodeProto, OnnxDataType, type TensorProto, type ValueInfoProto } from '../../model/onnxProto';

type Dim = number | string;

function input(name: string, elemType: number, dims: Dim[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function output(name: string): ValueInfoProto {
  return { name, type: { tensorType: { elemType: OnnxDataType.FLOAT } } };
}

function node(opType: string, inputs: string[], outputs: string[], attributes: NodeProto['attribute'] = []): NodeProto {
  return { name: `${opType}_${outputs[0]}`, opType, input: inputs, output: outputs, attribute: attributes };
}

const intAttr = (name: string, i: number) => ({ name, type: 2, i });
const intsAttr = (name: string, ints: number[]) => ({ name, type: 7, ints });

function int64Constant(name: string, values: number[]): TensorProto {
  return { name, dims: [values.length], dataType: OnnxDataType.INT64, int64Data: values };
}

function floatConstant(name: string, values: number[]): TensorProto {
  return { name, dims: [values.length], dataType: OnnxDataType.FLOAT, floatData: values };
}

function model(graph: GraphProto): Uint8Array {
  return encodeModel({ irVersion: 7, producerName: 'policytrace-lm-head', opsetImport: [{ domain: '', version: 13 }], graph });
}

/** Shared front: P = softmax(W̃ h̃), D = P − onehot(y), for rows [n, cols] (or padded [S, T, cols] when `padded`). */
function softmaxResidual(vocabSize: number, padded: boolean): { nodes: NodeProto[]; initializers: TensorProto[] } {
  const nodes: NodeProto[] = padded
    ? [node('Transpose', ['W'], ['Wt'], [intsAttr('perm', [1, 0])]), node('MatMul', ['H', 'Wt'], ['Z'])]
    : [node('Gemm', ['H', 'W'], ['Z'], [intAttr('transB', 1)])];
  nodes.push(
    node('LogSoftmax', ['Z'], ['LP'], [intAttr('axis', -1)]),
    node('Exp', ['LP'], ['P']),
    node('OneHot', ['Y', 'depth', 'onehotValues'], ['OH'], [intAttr('axis', -1)]),
    node('Sub', ['P', 'OH'], ['D']),
  );
  return { nodes, initializers: [int64Constant('depth', [vocabSize]), floatConstant('onehotValues', [0, 1])] };
}

export function lossGradGraph(vocabSize: number, cols: number): Uint8Array {
  const front = softmaxResidual(vocabSize, false);
  return model({
    name: 'lm_head_loss_grad',
    input: [
      input('H', OnnxDataType.FLOAT, ['n', cols]),
      input('W', OnnxDataType.FLOAT, [vocabSize, cols]),
      input('Y', OnnxDataType.INT64, ['n']),
      input('rowWeight', OnnxDataType.FLOAT, ['n']),
    ],
    output: [output('logp'), output('grad'), { name: 'top', type: { tensorType: { elemType: OnnxDataType.INT64 } } }],
    initializer: [...front.initializers, int64Constant('axis1', [1]), int64Constant('flat', [-1])],
    node: [
      ...front.nodes,
      node('Unsqueeze', ['Y', 'axis1'], ['Ycol']),
      node('GatherElements', ['LP', 'Ycol'], ['logpCol'], [intAttr('axis', 1)]),
      node('Reshape', ['logpCol', 'flat'], ['logp']),
      node('Unsqueeze', ['rowWeight', 'axis1'], ['weightCol']),
      node('Mul', ['D', 'weightCol'], ['DW']),
      node('Gemm', ['DW', 'H'], ['grad'], [intAttr('transA', 1)]),
      node('ArgMax', ['Z'], ['top'], [intAttr('axis', 1), intAttr('keepdims', 0)]),
    ],
  });
}

export function scoreGraph(vocabSize: number, cols: number): Uint8Array {
  const front = softmaxResidual(vocabSize, false);
  return model({
    name: 'lm_head_score',
    input: [
      input('H', OnnxDataType.FLOAT, ['n', cols]),
      input('W', OnnxDataType.FLOAT, [vocabSize, cols]),
      input('Y', OnnxDataType.INT64, ['n']),
      input('R', OnnxDataType.FLOAT, ['q', vocabSize, cols]),
    ],
    output: [output('score')],
    initializer: [...front.initializers, int64Constant('axis2', [2]), int64Constant('axis0', [0])],
    node: [
      ...front.nodes,
      // Several directions at once: M[q, t, v] = (R_q h̃_t)_v, score[q, t] = Σ_v D[t, v] M[q, t, v].
      node('Transpose', ['R'], ['Rt'], [intsAttr('perm', [0, 2, 1])]),
      node('MatMul', ['H', 'Rt'], ['M']),
      node('Unsqueeze', ['D', 'axis0'], ['D3']),
      node('Mul', ['M', 'D3'], ['DM']),
      node('ReduceSum', ['DM', 'axis2'], ['score'], [intAttr('keepdims', 0)]),
    ],
  });
}

export function curvatureGraph(vocabSize: number, cols: number): Uint8Array {
  const front = softmaxResidual(vocabSize, false);
  return model({
    name: 'lm_head_curvature',
    input: [input('H', OnnxDataType.FLOAT, ['n', cols]), input('W', OnnxDataType.FLOAT, [vocabSize, cols])],
    output: [output('PtP'), output('pSum'), output('HtH')],
    initializer: [int64Constant('axis0', [0])],
    node: [
      front.nodes[0],
      node('Softmax', ['Z'], ['P'], [intAttr('axis', -1)]),
      node('Gemm', ['P', 'P'], ['PtP'], [intAttr('transA', 1)]),
      node('ReduceSum', ['P', 'axis0'], ['pSum'], [intAttr('keepdims', 0)]),
      node('Gemm', ['H', 'H'], ['HtH'], [intAttr('transA', 1)]),
    ],
  });
}

export function ekfacGraph(vocabSize: number, cols: number): Uint8Array {
  const front = softmaxResidual(vocabSize, true);
  return model({
    name: 'lm_head_ekfac_eigenvalues',
    input: [
      input('H', OnnxDataType.FLOAT, ['S', 'T', cols]),
      input('W', OnnxDataType.FLOAT, [vocabSize, cols]),
      input('Y', OnnxDataType.INT64, ['S', 'T']),
      input('mask', OnnxDataType.FLOAT, ['S', 'T']),
      input('UA', OnnxDataType.FLOAT, [cols, cols]),
      input('UB', OnnxDataType.FLOAT, [vocabSize, vocabSize]),
    ],
    output: [output('squares')],
    initializer: [...front.initializers, int64Constant('axis0', [0]), int64Constant('axis2', [2])],
    node: [
      ...front.nodes,
      node('Unsqueeze', ['mask', 'axis2'], ['mask3']),
      node('Mul', ['D', 'mask3'], ['DM']),
      node('MatMul', ['DM', 'UB'], ['Drot']),
      node('MatMul', ['H', 'UA'], ['Hrot']),
      node('Transpose', ['Drot'], ['DrotT'], [intsAttr('perm', [0, 2, 1])]),
      node('MatMul', ['DrotT', 'Hrot'], ['G']),
      node('Mul', ['G', 'G'], ['G2']),
      node('ReduceSum', ['G2', 'axis0'], ['squares'], [intAttr('keepdims', 0)]),
    ],
  });
}
