/** Axis helpers shared by the rules of ops that take an axis or a list of axes. */
import { attributeInt, attributeInts } from '../../model/onnxProto';
import { GradientContext } from '../opRule';

export function normalizeAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/**
 * The axes a Reduce* node reduces, normalized and sorted: from the `axes` attribute or (ReduceSum ≥ 13,
 * others ≥ 18) the constant `axes` input; all axes when none are given unless noop_with_empty_axes is set
 * (then returns [] and the op is the identity).
 */
export function reduceAxes(context: GradientContext): number[] {
  const { emit, node, inputs } = context;
  const rank = emit.rank(inputs[0]);
  let axes = attributeInts(node, 'axes');
  if (!axes && inputs[1]) {
    axes = context.constantValues(inputs[1]);
    if (!axes) context.unsupported('the axes input is computed at run time; only constant axes are differentiated');
  }
  if (!axes || axes.length === 0) {
    if (attributeInt(node, 'noop_with_empty_axes') === 1) return [];
    return Array.from({ length: rank }, (_, i) => i);
  }
  return axes.map((a) => normalizeAxis(a, rank)).sort((a, b) => a - b);
}

/**
 * Spreads the gradient of a reduction back over the reduced axes; `scale` (ReduceMean's 1/n) is applied to
 * the reduced-size tensor first. The Expand is deferred to the sum of x's gradient terms (`expandLater`).
 */
export function spreadOverReducedAxes(context: GradientContext, dy: string, axes: number[], scale?: (kept: string) => string): string {
  const { emit, node, inputs } = context;
  const keepdims = attributeInt(node, 'keepdims') ?? 1;
  const shaped = keepdims === 1 ? dy : emit.unsqueeze(dy, axes);
  // Only a tensor made here may be deferred: dy itself can be another tensor's gradient term as it is.
  if (shaped === dy && !scale) return emit.expandLike(dy, inputs[0], axes);
  return emit.expandLater(scale ? scale(shaped) : shaped, inputs[0], axes);
}
