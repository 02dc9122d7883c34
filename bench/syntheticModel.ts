/**
 * A larger synthetic classifier for throughput benchmarks: float input [batch, width] → (Gemm → Relu) × depth
 * → Gemm → Softmax, with seeded random weights. Built directly as an ONNX ModelProto so the benchmark needs
 * no fixture files and no Python.
 */
import { encodeModel, OnnxDataType, type NodeProto, type TensorProto } from '../extension/engine/model/onnxProto';
import { seededRandom } from '../extension/engine/util/seededRandom';

export interface SyntheticModelOptions {
  inputWidth: number;
  hidden: number;
  depth: number;
  classes: number;
  seed?: number;
}

export function buildSyntheticClassifier(options: SyntheticModelOptions): Uint8Array {
  const random = mulberry32(options.seed ?? 7);
  const initializers: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  let current = 'input';
  let width = options.inputWidth;
  const layerWidths = [...Array(options.depth).fill(options.hidden), options.classes];
  layerWidths.forEach((outWidth: number, layer: number) => {
    const weight = `layer${layer}.weight`;
    const bias = `layer${layer}.bias`;
    initializers.push(floatTensor(weight, [outWidth, width], () => (random() * 2 - 1) / Math.sqrt(width)));
    initializers.push(floatTensor(bias, [outWidth], () => 0));
    const isLast = layer === layerWidths.length - 1;
    const gemmOut = isLast ? 'logits' : `layer${layer}.linear`;
    nodes.push({
      name: `/layer${layer}/Gemm`,
      opType: 'Gemm',
      input: [current, weight, bias],
      output: [gemmOut],
      attribute: [{ name: 'transB', type: 2, i: 1 }],
    });
    if (!isLast) {
      nodes.push({ name: `/layer${layer}/Relu`, opType: 'Relu', input: [gemmOut], output: [`layer${layer}.relu`] });
      current = `layer${layer}.relu`;
    }
    width = outWidth;
  });
  nodes.push({ name: '/Softmax', opType: 'Softmax', input: ['logits'], output: ['probs'], attribute: [{ name: 'axis', type: 2, i: 1 }] });
  return encodeModel({
    irVersion: 8,
    producerName: 'policytrace-bench',
    opsetImport: [{ domain: '', version: 15 }],
    graph: {
      name: 'synthetic_mlp',
      node: nodes,
      initializer: initializers,
      input: [tensorValueInfo('input', [undefined, options.inputWidth])],
      output: [tensorValueInfo('probs', [undefined, options.classes])],
    },
  });
}

function floatTensor(name: string, dims: number[], value: () => number): TensorProto {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1)).map(value);
  return { name, dims, dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

function tensorValueInfo(name: string, dims: (number | undefined)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: OnnxDataType.FLOAT,
        shape: { dim: dims.map((d) => (d === undefined ? { dimParam: 'batch' } : { dimValue: d })) },
      },
    },
  };
}

/** Benchmarks must build the same model every run. */
export const mulberry32 = seededRandom;
