/**
 * A small float64 graph with one output y, its backward graph wrt some of its inputs, and the seed that drives
 * it: what the rewrite tests check against finite differences (finiteDifference.ts) and inspect for the ops
 * the backward emitted.
 */
import { appendBackwardGraph } from '../../../extension/engine/autodiff/backward';
import { GraphEmitter } from '../../../extension/engine/autodiff/graphEmitter';
import { createSession, ExampleFeeds, ort, OrtTensor } from '../../../extension/engine/autodiff/ort';
import { probeTensorInfo } from '../../../extension/engine/autodiff/probe';
import { gaussianArray } from '../../../extension/engine/autodiff/random';
import { encodeModel, ModelProto, NodeProto, OnnxDataType } from '../../../extension/engine/model/onnxProto';
import { BuiltOpCase } from './opCaseModel';

/** A float64 graph input of fixed dims. */
export function doubleInput(name: string, dims: number[]) {
  return { name, type: { tensorType: { elemType: OnnxDataType.DOUBLE, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

/** A float64 feed of the given dims (values from `data`, or seeded Gaussian draws). */
export function doubleTensor(dims: number[], seed: number): OrtTensor {
  return new (ort().Tensor)('float64', gaussianArray(dims.reduce((a, b) => a * b, 1), seed), dims);
}

/** Appends dy → dx for every name in `wrt` to a copy of `model` (output 'y', seeded by a Gaussian 'seed_y'). */
export async function buildBackwardCase(model: ModelProto, feeds: ExampleFeeds, wrtNames: string[]): Promise<{ built: BuiltOpCase; gradientNodes: NodeProto[] }> {
  const infos = await probeTensorInfo(model, feeds);
  const gradientModel = structuredClone(model);
  const emit = new GraphEmitter(gradientModel, infos);
  const yDims = infos.get('y')!.dims;
  emit.graph.input!.push(doubleInput('seed_y', yDims));
  const backward = appendBackwardGraph(emit, new Map([['y', 'seed_y']]), wrtNames);
  const wrt = wrtNames.map((name) => ({ input: name, gradient: emit.node('Identity', [backward.wrtGradients.get(name)!]) }));
  emit.graph.output = wrt.map(({ gradient }) => ({ name: gradient }));
  emit.removeDeadNodes();
  return {
    built: { forward: encodeModel(model), gradient: encodeModel(gradientModel), feeds, wrt, seeds: [{ output: 'y', seed: doubleTensor(yDims, 7) }] },
    gradientNodes: gradientModel.graph!.node!.filter((n) => n.name?.startsWith('grad/')),
  };
}

/** One run of a model's bytes in a fresh session. */
export async function runOnce(bytes: Uint8Array, feeds: ExampleFeeds, outputs?: string[]): Promise<Record<string, OrtTensor>> {
  const session = await createSession(bytes);
  try {
    return await (outputs ? session.run(feeds, outputs) : session.run(feeds));
  } finally {
    await session.release();
  }
}
