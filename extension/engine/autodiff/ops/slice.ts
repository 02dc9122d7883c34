import { OnnxDataType } from '../../model/onnxProto';
import { GradientContext, OpGradient } from '../opRule';
import { normalizeAxis } from './axes';

/**
 * Unit steps with bounds known before the run and shapes fixed but for the batch (featurization graphs):
 * dy padded by constant amounts. Unit steps (the common case, e.g. q/k/v split off a fused projection) at opset ≥ 13: the gradient is dy
 * zero-padded back to x's shape, with the pads computed at run time from starts/ends (negative bounds
 * wrapped, then clamped, as Slice does) — a copy, far cheaper than scattering element by element.
 * Otherwise at opset ≥ 11: Slice selects distinct elements, so its gradient scatters dy back to their positions. The
 * positions come from replaying the very same Slice (starts/ends/axes/steps as given) on a tensor of flat
 * element indices, which covers negative indices, clamping and steps without re-deriving them;
 * ScatterElements writes dy into zeros there. Older opsets (no Range/ScatterElements): the slice's constant
 * bounds become Pad amounts.
 */
function scatterBack({ emit, node, inputs }: GradientContext, dy: string): string {
  const x = inputs[0];
  const dataType = emit.info(x).dataType;
  const size = emit.node('Size', [x]);
  const flatPositions = emit.node('Range', [emit.ints([0], []), size, emit.ints([1], [])]);
  const picked = emit.replay(node, [emit.reshapeLike(flatPositions, x), ...inputs.slice(1)]);
  const flatPicked = emit.node('Reshape', [picked, emit.ints([-1])]);
  const flatDy = emit.node('Reshape', [dy, emit.ints([-1])]);
  const zeros = emit.node('ConstantOfShape', [emit.node('Reshape', [size, emit.ints([1])])], {
    value: { name: 'value', dataType, dims: [1], rawData: new Uint8Array(dataType === OnnxDataType.DOUBLE ? 8 : 4) },
  });
  const scattered = emit.node('ScatterElements', [zeros, flatPicked, flatDy], { axis: 0 });
  return emit.reshapeLike(scattered, x);
}

/** Pad amounts [begin..., end...] that undo a unit-step slice of a tensor with `dims` (bounds as Slice clamps them). */
function unitStepPads(dims: number[], axes: number[], starts: number[], ends: number[]): number[] {
  const pads = new Array<number>(2 * dims.length).fill(0);
  axes.forEach((rawAxis, i) => {
    const axis = normalizeAxis(rawAxis, dims.length);
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dims[axis] : v, 0), dims[axis]);
    const begin = clamp(starts[i]);
    pads[axis] = begin;
    pads[dims.length + axis] = dims[axis] - Math.max(clamp(ends[i]), begin);
  });
  return pads;
}

/** The sliced axes (normalized) of a unit-step Slice at opset ≥ 10, or undefined (steps ≠ 1 or unknown axes). */
function unitStepAxes(context: GradientContext): number[] | undefined {
  const { emit, inputs } = context;
  const [x, starts, , axesInput, stepsInput] = inputs;
  const rank = emit.rank(x);
  const count = emit.info(starts).dims[0];
  const axes = axesInput ? context.constantValues(axesInput) : Array.from({ length: count }, (_, i) => i);
  const steps = stepsInput ? context.constantValues(stepsInput) : undefined;
  if (!axes || (stepsInput && (!steps || steps.some((v) => v !== 1)))) return undefined;
  return axes.map((a) => normalizeAxis(a, rank));
}

/**
 * Bounds known before the run (constants, or batch-invariant shape arithmetic) on axes of fixed size (shapes
 * assumed from the probe): the pads are constants too, one Pad (opset ≥ 11 takes them as an input).
 */
function constantPadBack(context: GradientContext, dy: string): string | undefined {
  const { emit, inputs } = context;
  const [x, starts, ends] = inputs;
  const axes = unitStepAxes(context);
  const fixedDims = emit.batchOpenDims(x);
  const startValues = context.constantValues(starts);
  const endValues = context.constantValues(ends);
  if (!axes || !fixedDims || !startValues || !endValues || axes.some((axis) => fixedDims[axis] === -1)) return undefined;
  const pads = unitStepPads(fixedDims, axes, startValues, endValues);
  const rank = fixedDims.length;
  const padded = fixedDims.map((_, axis) => axis).filter((axis) => pads[axis] !== 0 || pads[rank + axis] !== 0);
  if (padded.length === 1) {
    const axis = padded[0];
    return emit.padAlongAxis(dy, rank, axis, pads[axis], fixedDims[axis] - pads[rank + axis], fixedDims[axis]);
  }
  return emit.node('Pad', [dy, emit.ints(pads)], { mode: 'constant' });
}

function dynamicPadBack(context: GradientContext, dy: string): string | undefined {
  const { emit, inputs } = context;
  const [x, starts, ends] = inputs;
  const rank = emit.rank(x);
  const normalized = unitStepAxes(context);
  if (!normalized) return undefined;
  const asInt64 = (t: string) => (emit.info(t).dataType === OnnxDataType.INT64 ? t : emit.node('Cast', [t], { to: OnnxDataType.INT64 }));
  const sizes = emit.node('Gather', [emit.shape(x), emit.ints(normalized)], { axis: 0 });
  const zero = emit.ints([0], []);
  const bound = (value: string) => {
    const wrapped = emit.node('Where', [emit.node('Less', [value, zero]), emit.node('Add', [value, sizes]), value]);
    return emit.node('Min', [emit.node('Max', [wrapped, zero]), sizes]);
  };
  const before = bound(asInt64(starts));
  const after = emit.node('Sub', [sizes, bound(asInt64(ends))]);
  const positions = emit.ints([...normalized, ...normalized.map((a) => a + rank)]);
  const pads = emit.node('ScatterElements', [emit.ints(new Array<number>(2 * rank).fill(0)), positions, emit.node('Concat', [before, after], { axis: 0 })], { axis: 0 });
  return emit.node('Pad', [dy, pads], { mode: 'constant' });
}

function padBack(context: GradientContext, dy: string): string {
  const { emit, node, inputs } = context;
  const dims = emit.info(inputs[0]).dims;
  const read = (attribute: string, index: number) =>
    node.attribute?.find((a) => a.name === attribute)?.ints ?? (inputs[index] ? context.constantValues(inputs[index]) : undefined);
  const starts = read('starts', 1);
  const ends = read('ends', 2);
  if (!starts || !ends) return context.unsupported('Slice bounds computed at run time need opset ≥ 11');
  const axes = read('axes', 3) ?? starts.map((_, i) => i);
  const steps = read('steps', 4);
  if (steps?.some((s) => s !== 1)) context.unsupported('Slice steps other than 1 need opset ≥ 11');
  return emit.node('Pad', [dy], { pads: unitStepPads(dims, axes, starts, ends), mode: 'constant' });
}

export const sliceGradient: OpGradient = {
  opType: 'Slice',
  rule: (context, [dy]) => {
    if (!dy) return [];
    const { opset } = context.emit;
    const constant = opset >= 11 ? constantPadBack(context, dy) : undefined;
    if (constant) return [constant];
    if (opset >= 13) {
      const padded = dynamicPadBack(context, dy);
      if (padded) return [padded];
    }
    return [opset >= 11 ? scatterBack(context, dy) : padBack(context, dy)];
  },
};
