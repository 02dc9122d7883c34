import { OpGradient } from '../opRule';
import { reduceAxes, spreadOverReducedAxes } from './axes';

/** Every summed element receives the output gradient. */
export const reduceSumGradient: OpGradient = {
  opType: 'ReduceSum',
  rule: (context, [dy]) => {
    if (!dy) return [];
    const axes = reduceAxes(context);
    return [axes.length === 0 ? dy : spreadOverReducedAxes(context, dy, axes)];
  },
};
