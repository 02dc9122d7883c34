import { OpGradient } from '../opRule';

/** y = erf x: dx = dy · 2/√π · exp(−x²). torch exports exact GELU as x·½·(1 + erf(x/√2)), so this carries GELU. */
export const erfGradient: OpGradient = {
  opType: 'Erf',
  rule: ({ emit, inputs }, [dy]) => {
    if (!dy) return [];
    const x = inputs[0];
    const gaussian = emit.node('Exp', [emit.node('Neg', [emit.node('Mul', [x, x])])]);
    const slope = emit.node('Mul', [gaussian, emit.scalarLike(2 / Math.sqrt(Math.PI), x)]);
    return [emit.node('Mul', [dy, slope])];
  },
};
