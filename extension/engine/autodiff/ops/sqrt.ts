import { OpGradient } from '../opRule';

/** y = √x: dx = dy · 0.5 / y. */
export const sqrtGradient: OpGradient = {
  opType: 'Sqrt',
  rule: ({ emit, outputs }, [dy]) => {
    if (!dy) return [];
    const half = emit.scalarLike(0.5, outputs[0]);
    return [emit.node('Div', [emit.node('Mul', [dy, half]), outputs[0]])];
  },
};
