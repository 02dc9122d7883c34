/**
 * Rearranges a tensor whose batch axis the probe found into [batch, rows, features]: the batch first, every
 * other axis (sequence, heads, merged seq·batch rows) folded into "rows", the feature axis last. Per-example
 * gradients of a linear layer are then Σ_rows δ aᵀ, one batched MatMul.
 */
import { GraphEmitter } from './graphEmitter';
import { BatchLayout } from './probe';

/**
 * `dims` are the probe dims of `tensor` (or of the forward tensor it is the gradient of). `featureAxis` null: no feature axis (token ids), giving [batch, rows]. Static sizes (factor, other axes,
 * features) come from the probe dims; only the batch size is left for run time.
 */
export function toExampleRows(emit: GraphEmitter, tensor: string, dims: number[], layout: BatchLayout, featureAxis: number | null): string {
  const rank = dims.length;
  const others = Array.from({ length: rank }, (_, i) => i).filter((i) => i !== layout.axis && i !== featureAxis);
  const perm = featureAxis === null ? [layout.axis, ...others] : [layout.axis, ...others, featureAxis];
  const moved = emit.transpose(tensor, perm);
  const otherSize = others.reduce((size, axis) => size * dims[axis], 1);
  const features = featureAxis === null ? [] : [dims[featureAxis]];
  // A lone Transpose (no Reshape after it) is fused into the MatMul that reads it by onnxruntime
  // (FusedMatMul's transBatch), so views that need no merging stop at the Transpose.
  if (layout.factor === 1 && others.length === 1) return moved;
  if (layout.factor === 1 || layout.order === 'batch-major') {
    return emit.node('Reshape', [moved, emit.ints([-1, layout.factor * otherSize, ...features])]);
  }
  // sequence-major: row = t·batch + example → split [factor, batch, ...], swap, merge.
  if (others.length === 0) {
    const split = emit.node('Reshape', [moved, emit.ints([layout.factor, -1, ...features])]);
    return emit.transpose(split, featureAxis === null ? [1, 0] : [1, 0, 2]);
  }
  const split = emit.node('Reshape', [moved, emit.ints([layout.factor, -1, otherSize, ...features])]);
  const swapped = emit.transpose(split, featureAxis === null ? [1, 0, 2] : [1, 0, 2, 3]);
  return emit.node('Reshape', [swapped, emit.ints([-1, layout.factor * otherSize, ...features])]);
}

/** How many rows per example `toExampleRows` gives a tensor of these dims. */
export function exampleRowCount(dims: number[], layout: BatchLayout, featureAxis: number | null): number {
  return dims.reduce((rows, size, axis) => (axis === layout.axis || axis === featureAxis ? rows : rows * size), layout.factor);
}

/**
 * The largest stacked-identity constant `sumExampleRows` uses (elements). The product costs `features` times
 * the additions of a ReduceSum, so it only pays for a few rows: measured faster on [128, 8, 16] (2 Ki
 * elements), slower on [128, 100, 16] (25 Ki).
 */
const MAX_STACKED_IDENTITY_ELEMENTS = 1 << 12;

/** Σ over the leading `count` rows of a [count, ...] tensor as one product with a ones row: [1, rest]. */
function sumLeadingRows(emit: GraphEmitter, tensor: string, count: number, dataType: number): string {
  const flat = emit.node('Reshape', [tensor, emit.ints([count, -1])]);
  return emit.node('MatMul', [emit.filled(1, [1, count], dataType), flat]);
}

/**
 * Σ over each example's rows of a tensor whose last axis is the feature axis: [batch, features].
 * - rows all before the batch axis (sequence-first tensors, merged seq·batch rows): one ones-row MatMul over
 *   a [rows, batch·features] view (onnxruntime's ReduceSum over leading axes is several times slower);
 * - a few rows between a leading batch axis and the features: one stacked-identity MatMul;
 * - otherwise the other axes are summed in place when the batch axis is a plain axis, or `toExampleRows`.
 */
export function sumExampleRows(emit: GraphEmitter, tensor: string, dims: number[], layout: BatchLayout, dataType: number): string {
  const lastAxis = dims.length - 1;
  const features = dims[lastAxis];
  if (layout.factor === 1 && layout.axis === lastAxis - 1 && layout.axis > 0) {
    const rows = dims.slice(0, layout.axis).reduce((a, b) => a * b, 1);
    return emit.node('Reshape', [sumLeadingRows(emit, tensor, rows, dataType), emit.ints([-1, features])]);
  }
  if (layout.factor === 1 && layout.axis === 0 && dims.length > 2) {
    // Batch first, rows in the middle: [batch, rows·features] times `rows` stacked identities [rows·features,
    // features] is one GEMM, where ReduceSum over a middle axis is a strided loop. Only while that matrix is small.
    const rows = dims.slice(1, lastAxis).reduce((a, b) => a * b, 1);
    if (rows * features * features <= MAX_STACKED_IDENTITY_ELEMENTS) {
      const stacked = new Array<number>(rows * features * features).fill(0);
      for (let r = 0; r < rows; r++) for (let f = 0; f < features; f++) stacked[(r * features + f) * features + f] = 1;
      const flat = emit.node('Reshape', [tensor, emit.ints([-1, rows * features])]);
      return emit.node('MatMul', [flat, emit.addInitializer('stacked_identity', dataType, [rows * features, features], stacked)]);
    }
  }
  if (dims.length === 2 && layout.axis === 0 && layout.order === 'sequence-major' && layout.factor > 1) {
    return emit.node('Reshape', [sumLeadingRows(emit, tensor, layout.factor, dataType), emit.ints([-1, features])]);
  }
  if (layout.factor === 1 && layout.axis < lastAxis) {
    const others = dims.map((_, axis) => axis).filter((axis) => axis !== layout.axis && axis !== lastAxis);
    return others.length === 0 ? tensor : emit.reduce('ReduceSum', tensor, others, false);
  }
  if (dims.length === 2 && layout.axis === 0) {
    const sequenceMajor = layout.order === 'sequence-major';
    const split = emit.node('Reshape', [tensor, emit.ints(sequenceMajor ? [layout.factor, -1, dims[1]] : [-1, layout.factor, dims[1]])]);
    return emit.reduce('ReduceSum', split, [sequenceMajor ? 0 : 1], false);
  }
  return emit.reduce('ReduceSum', toExampleRows(emit, tensor, dims, layout, lastAxis), [1], false);
}
