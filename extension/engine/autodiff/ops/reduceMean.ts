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
    const count = emit.node('Div', [emit.node('Size', [inputs[0]]), emit.node('Size', [outputs[0]])]);
    const countAsFloat = emit.node('Cast', [count], { to: emit.info(inputs[0]).dataType });
    return [emit.node('Div', [spreadOverReducedAxes(context, dy, axes), countAsFloat])];
  },
};
