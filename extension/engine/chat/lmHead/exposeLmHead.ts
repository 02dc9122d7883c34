/**
 * Graph surgery for a causal LM: find the final MatMul/Gemm that makes the logits [batch, seq, V] (the lm_head),
 * read its weight as W (V × d, row = vocabulary entry; torch stores V × d, the ONNX MatMul often multiplies by
 * its transpose) and expose the hidden state feeding it as an extra graph output, so one forward pass gives
 * the token states that head-only attribution and retraining need.
 */
import { PolicyTraceError } from '../../errors';
import { GraphIndex } from '../../model/graphIndex';
import { findLinearHead, isFloatOutput } from '../../model/linearHead';
import { decodeModelBytes } from '../../model/modelFile';
import { encodeModel, OnnxDataType, type GraphProto } from '../../model/onnxProto';

export interface ExposedLmHead {
  /** The model with `hiddenTensor` as an extra output. */
  modelBytes: Uint8Array;
  hiddenTensor: string;
  logitsTensor: string;
  /** V × d row-major. */
  weight: Float32Array;
  bias: Float32Array | null;
  vocabSize: number;
  hiddenSize: number;
  /** The node that multiplies by W, and the initializer W was read from. */
  node: string;
  weightSource: string;
}

export interface ExposeOptions {
  /** The logits output (default: `logits`, else the first float output). */
  logits?: string;
  /** Names the model in messages. */
  file?: string;
}

export function exposeLmHead(modelBytes: Uint8Array, options: ExposeOptions = {}): ExposedLmHead {
  const file = options.file ?? 'model bytes';
  const model = decodeModelBytes(modelBytes, file);
  const graph = model.graph as GraphProto;
  const outputs = graph.output ?? [];
  const logits = options.logits ?? (outputs.find((o) => o.name === 'logits') ?? outputs.find(isFloatOutput))?.name;
  const logitsInfo = outputs.find((o) => o.name === logits);
  if (!logits || !logitsInfo) {
    const known = outputs.map((o) => o.name).join(', ');
    throw new PolicyTraceError(`no logits output${logits ? ` '${logits}'` : ''} (outputs: ${known})`, { file, field: 'logits' }, 'lm-head-not-found');
  }
  const index = new GraphIndex(graph);
  const found = findLinearHead(index, logits);
  const producer = index.producer(logits);
  if ('reason' in found) {
    throw new PolicyTraceError(`no lm_head MatMul/Gemm behind output '${logits}': ${found.reason}`, { file, node: producer?.name, op: producer?.opType }, 'lm-head-not-found');
  }
  const head = found.head;
  if (head.op === 'Mul') {
    throw new PolicyTraceError(`output '${logits}' comes from an elementwise scale, not an lm_head matrix`, { file, node: head.node, op: head.op }, 'lm-head-not-found');
  }
  if (head.activation !== 'none') {
    throw new PolicyTraceError(`output '${logits}' is after a ${head.activation}; point 'logits' at the raw scores`, { file, node: head.node, op: head.op }, 'lm-head-not-found');
  }
  const declared = logitsInfo.type?.tensorType?.shape?.dim?.at(-1)?.dimValue;
  if (typeof declared === 'number' && declared > 0 && declared !== head.outputDim) {
    throw new PolicyTraceError(
      `the lm_head weight '${head.weightSource}' has ${head.outputDim} rows but '${logits}' declares ${declared} entries`,
      { file, node: head.node, op: head.op },
      'lm-head-not-found',
    );
  }
  let hiddenTensor = head.featureTensor;
  if (!outputs.some((o) => o.name === hiddenTensor)) {
    if (index.graphInputs.has(hiddenTensor)) {
      // A graph input cannot also be an output under its own name: pass it through an Identity.
      const exposed = `policytrace/${hiddenTensor}`;
      graph.node = [...(graph.node ?? []), { name: `policytrace/expose_${hiddenTensor}`, opType: 'Identity', input: [hiddenTensor], output: [exposed] }];
      hiddenTensor = exposed;
    }
    const elemType = index.initializer(head.weightSource)?.dataType ?? OnnxDataType.FLOAT;
    graph.output = [...outputs, { name: hiddenTensor, type: { tensorType: { elemType } } }];
  }
  return {
    modelBytes: encodeModel(model),
    hiddenTensor,
    logitsTensor: logits,
    weight: head.weight,
    bias: head.biasSource ? head.bias : null,
    vocabSize: head.outputDim,
    hiddenSize: head.inputDim,
    node: head.node,
    weightSource: head.weightSource,
  };
}
