/**
 * Small ONNX graphs built in code for runner and surgery tests, so the tests need no Python and no large
 * committed files. Weights are deterministic (a fixed LCG), so results are reproducible.
 */
import { encodeModel, GraphProto, NodeProto, OnnxDataType, TensorProto, ValueInfoProto } from '../../../extension/engine/model/onnxProto';

export function floatInitializer(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const data = Float32Array.from(values);
  return { name, dims, dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(data.buffer) };
}

export function tensorInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export function modelBytes(graph: GraphProto, opset = 13): Uint8Array {
  return encodeModel({ irVersion: 8, producerName: 'policytrace-test', opsetImport: [{ domain: '', version: opset }], graph });
}

export function pseudoRandom(count: number, seed = 1, scale = 1): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = ((state / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/**
 * x [batch, width] → `layers` × (MatMul by one shared width×width weight, Tanh) → y [batch, width].
 * One weight shared by all layers keeps the bytes small while the compute grows with `layers`.
 */
export function slowModel(width: number, layers: number): Uint8Array {
  const nodes: NodeProto[] = [];
  let current = 'x';
  for (let i = 0; i < layers; i++) {
    nodes.push({ name: `mm${i}`, opType: 'MatMul', input: [current, 'w'], output: [`h${i}`] });
    nodes.push({ name: `tanh${i}`, opType: 'Tanh', input: [`h${i}`], output: [i === layers - 1 ? 'y' : `a${i}`] });
    current = `a${i}`;
  }
  return modelBytes({
    name: 'slow',
    node: nodes,
    initializer: [floatInitializer('w', [width, width], pseudoRandom(width * width, 3, 1 / Math.sqrt(width)))],
    input: [tensorInfo('x', OnnxDataType.FLOAT, ['batch', width])],
    output: [tensorInfo('y', OnnxDataType.FLOAT, ['batch', width])],
  });
}
