import { OpGradient } from '../opRule';
import { reduceAxes, spreadOverReducedAxes } from './axes';

/** Each averaged element receives dy / n, n = |x| / |y| computed at run time (the batch may be reduced too). */
export const reduceMeanGradient: OpGradient = {
  opType: 'ReduceMean',
  rule: (context, [dy]) => {
    if (!dy) return [];
    const axes = reduceAxes(context);
    if (axes.length === 0) return [dy];
    const { emit, inputs, outputs } = context;
    const dataType = emit.info(inputs[0]).dataType;
    // n is a constant when shapes are fixed but for the batch and the batch axis is not averaged over.
    const dims = emit.batchOpenDims(inputs[0]);
    const staticCount = dims && axes.every((a) => dims[a] !== -1) ? axes.reduce((n, a) => n * dims[a], 1) : undefined;
    const count =
      staticCount !== undefined
        ? emit.scalar(staticCount, dataType)
        : emit.node('Cast', [emit.node('Div', [emit.node('Size', [inputs[0]]), emit.node('Size', [outputs[0]])])], { to: dataType });
    return [spreadOverReducedAxes(context, dy, axes, (kept) => emit.node('Div', [kept, count]))];
  },
};
