/**
 * Builds the one-op ONNX model of a finite-difference case (test/fixtures/autodiff/op-cases.json) and its
 * gradient model: differentiable operands are graph inputs (so finite differences just change feeds),
 * constants are initializers, and each seeded output y_k gets a seed input r_k, so the backward graph computes
 * the gradient of L = Σ_k Σ y_k·r_k.
 */
import { appendBackwardGraph } from '../../../extension/engine/autodiff/backward';
import { attribute, AttributeValue, constantTensor, GraphEmitter } from '../../../extension/engine/autodiff/graphEmitter';
import { ExampleFeeds, ort, OrtTensor } from '../../../extension/engine/autodiff/ort';
import { probeTensorInfo } from '../../../extension/engine/autodiff/probe';
import { gaussianArray, seededRandom } from '../../../extension/engine/autodiff/random';
import { encodeModel, ModelProto, NodeProto, OnnxDataType, TensorProto, ValueInfoProto } from '../../../extension/engine/model/onnxProto';

export interface OpCaseInput {
  dims?: number[];
  /** 'double' | 'float' (differentiable unless `constant`), 'int64', 'bool'. Defaults to the case dtype. */
  dtype?: 'double' | 'float' | 'int64' | 'bool';
  values?: number[];
  constant?: boolean;
  /** Draw values in [0.5, 2] (for Sqrt, Log, Pow bases, divisors). */
  positive?: boolean;
  omitted?: boolean;
}

export interface OpCase {
  name: string;
  op: string;
  domain?: string;
  opset: number;
  dtype: 'double' | 'float';
  attributes?: Record<string, AttributeValue>;
  inputs: OpCaseInput[];
  outputs?: number;
  /** Outputs that receive a seed (default all): the others exercise "no gradient flows into this output". */
  seededOutputs?: number[];
}

export interface BuiltOpCase {
  forward: Uint8Array;
  gradient: Uint8Array;
  feeds: ExampleFeeds;
  /** Differentiated input names, and the gradient output of each. */
  wrt: { input: string; gradient: string }[];
  seeds: { output: string; seed: OrtTensor }[];
}

const onnxTypes = { double: OnnxDataType.DOUBLE, float: OnnxDataType.FLOAT, int64: OnnxDataType.INT64, bool: OnnxDataType.BOOL };

function tensorOf(dtype: 'double' | 'float', values: ArrayLike<number>, dims: number[]): OrtTensor {
  return dtype === 'double' ? new (ort().Tensor)('float64', Float64Array.from(values), dims) : new (ort().Tensor)('float32', Float32Array.from(values), dims);
}

function drawValues(count: number, seed: number, positive: boolean): number[] {
  if (positive) {
    const uniform = seededRandom(seed);
    return Array.from({ length: count }, () => 0.5 + 1.5 * uniform());
  }
  return Array.from(gaussianArray(count, seed));
}

export async function buildOpCase(testCase: OpCase, seed = 1): Promise<BuiltOpCase> {
  const initializer: TensorProto[] = [];
  const graphInputs: ValueInfoProto[] = [];
  const feeds: ExampleFeeds = {};
  const inputNames: string[] = [];
  const wrtInputs: string[] = [];
  testCase.inputs.forEach((input, i) => {
    if (input.omitted) return inputNames.push('');
    const name = `x${i}`;
    inputNames.push(name);
    const dtype = input.dtype ?? testCase.dtype;
    const dims = input.dims ?? [];
    const count = dims.reduce((a, b) => a * b, 1);
    if (input.constant || dtype === 'int64' || dtype === 'bool') {
      const values = input.values ?? drawValues(count, seed * 101 + i, Boolean(input.positive));
      if (dtype === 'bool') initializer.push({ name, dataType: OnnxDataType.BOOL, dims, int32Data: values });
      else initializer.push(constantTensor(name, onnxTypes[dtype], dims, values));
      return;
    }
    graphInputs.push({ name, type: { tensorType: { elemType: onnxTypes[dtype], shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
    feeds[name] = tensorOf(dtype, input.values ?? drawValues(count, seed * 101 + i, Boolean(input.positive)), dims);
    wrtInputs.push(name);
  });
  const outputNames = Array.from({ length: testCase.outputs ?? 1 }, (_, k) => `y${k}`);
  const node: NodeProto = {
    name: `case_${testCase.op}`,
    opType: testCase.op,
    input: inputNames,
    output: outputNames,
    attribute: Object.entries(testCase.attributes ?? {}).map(([key, value]) => attribute(key, value)),
  };
  if (testCase.domain) node.domain = testCase.domain;
  const opsetImport = [{ domain: '', version: testCase.opset }];
  if (testCase.domain) opsetImport.push({ domain: testCase.domain, version: 1 });
  const model: ModelProto = {
    irVersion: 8,
    opsetImport,
    graph: { name: 'case', node: [node], initializer, input: graphInputs, output: outputNames.map((name) => ({ name })) },
  };

  const infos = await probeTensorInfo(model, feeds);
  const gradientModel = structuredClone(model);
  const emit = new GraphEmitter(gradientModel, infos);
  const seedMap = new Map<string, string>();
  const seeds: BuiltOpCase['seeds'] = [];
  for (const k of testCase.seededOutputs ?? outputNames.map((_, i) => i)) {
    const output = outputNames[k];
    const info = infos.get(output)!;
    const seedName = `seed_${output}`;
    emit.graph.input!.push({ name: seedName, type: { tensorType: { elemType: info.dataType, shape: { dim: info.dims.map((d) => ({ dimValue: d })) } } } });
    seedMap.set(output, seedName);
    const count = info.dims.reduce((a, b) => a * b, 1);
    seeds.push({ output, seed: tensorOf(info.dataType === OnnxDataType.DOUBLE ? 'double' : 'float', gaussianArray(count, seed * 977 + k), info.dims) });
  }
  const backward = appendBackwardGraph(emit, seedMap, wrtInputs);
  const wrt = wrtInputs.map((input) => {
    const gradient = emit.node('Identity', [backward.wrtGradients.get(input)!]);
    return { input, gradient };
  });
  emit.graph.output = wrt.map(({ gradient }) => ({ name: gradient }));
  return { forward: encodeModel(model), gradient: encodeModel(gradientModel), feeds, wrt, seeds };
}
