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
  if (layout.factor === 1 || layout.order === 'batch-major') {
    return emit.node('Reshape', [moved, emit.ints([-1, layout.factor * otherSize, ...features])]);
  }
  // sequence-major: row = t·batch + example → split [factor, batch, ...], swap, merge.
  const split = emit.node('Reshape', [moved, emit.ints([layout.factor, -1, otherSize, ...features])]);
  const swapped = emit.transpose(split, featureAxis === null ? [1, 0, 2] : [1, 0, 2, 3]);
  return emit.node('Reshape', [swapped, emit.ints([-1, layout.factor * otherSize, ...features])]);
}
