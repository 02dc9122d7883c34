import { OpGradient } from '../opRule';

/** dx = dy where x > 0, else 0 (the subgradient 0 at x = 0, as torch uses). */
export const reluGradient: OpGradient = {
  opType: 'Relu',
  rule: ({ emit, inputs }, [dy]) => {
    if (!dy) return [];
    const x = inputs[0];
    const dataType = emit.info(x).dataType;
    // Where picks dy itself: two kernels where a Cast mask and a Mul take three.
    const zero = emit.scalar(0, dataType);
    return [emit.node('Where', [emit.node('Greater', [x, zero]), dy, zero])];
  },
};
