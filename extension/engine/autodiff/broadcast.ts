/**
 * Gradients through numpy-style broadcasting: sum the incoming gradient over every axis the input was
 * broadcast along, then reshape to the input's run-time shape. Which axes broadcast is read from the probe
 * dims (the input has fewer axes, or size 1 where the output is larger); sizes themselves stay dynamic.
 */
import { GraphEmitter } from './graphEmitter';

/** Axes (in output numbering) along which `inputDims` was broadcast to `outputDims`. */
export function broadcastAxes(inputDims: number[], outputDims: number[]): number[] {
  const lead = outputDims.length - inputDims.length;
  const axes: number[] = [];
  for (let axis = 0; axis < outputDims.length; axis++) {
    if (axis < lead) axes.push(axis);
    else if (inputDims[axis - lead] === 1 && outputDims[axis] !== 1) axes.push(axis);
  }
  return axes;
}

/** The gradient of `input` from `gradient` of a broadcasting op whose output is `output`. */
export function unbroadcast(emit: GraphEmitter, gradient: string, input: string, output: string): string {
  const inputDims = emit.info(input).dims;
  const axes = broadcastAxes(inputDims, emit.info(output).dims);
  if (axes.length === 0) return gradient;
  const summed = emit.reduce('ReduceSum', gradient, axes, true);
  return emit.reshapeLike(summed, input);
}

/**
 * Like unbroadcast, for a gradient whose dims are given explicitly (MatMul's broadcast batch dims), against
 * the input's dims as the op saw them (`promotedDims`: a 1-D MatMul operand counts as a matrix).
 */
export function unbroadcastToDims(emit: GraphEmitter, gradient: string, gradientDims: number[], input: string, promotedDims: number[]): string {
  const axes = broadcastAxes(promotedDims, gradientDims);
  const summed = axes.length === 0 ? gradient : emit.reduce('ReduceSum', gradient, axes, true);
  const sameShape = axes.length === 0 && emit.info(input).dims.length === gradientDims.length;
  return sameShape ? summed : emit.reshapeLike(summed, input);
}

/** Broadcast result dims of two shapes (numpy rules). */
export function broadcastDims(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}
