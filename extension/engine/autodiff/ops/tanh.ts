import { OpGradient } from '../opRule';

/** y = tanh x: dx = dy · (1 − y²). */
export const tanhGradient: OpGradient = {
  opType: 'Tanh',
  rule: ({ emit, outputs }, [dy]) => {
    if (!dy) return [];
    const y = outputs[0];
    const slope = emit.node('Sub', [emit.scalarLike(1, y), emit.node('Mul', [y, y])]);
    return [emit.node('Mul', [dy, slope])];
  },
};
