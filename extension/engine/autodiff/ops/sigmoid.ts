import { OpGradient } from '../opRule';

/** y = σ(x): dx = dy · y · (1 − y). */
export const sigmoidGradient: OpGradient = {
  opType: 'Sigmoid',
  rule: ({ emit, outputs }, [dy]) => {
    if (!dy) return [];
    const y = outputs[0];
    const slope = emit.node('Mul', [y, emit.node('Sub', [emit.scalarLike(1, y), y])]);
    return [emit.node('Mul', [dy, slope])];
  },
};
