import { OpGradient } from '../opRule';

/** dx = dy where x > 0, else 0 (the subgradient 0 at x = 0, as torch uses). */
export const reluGradient: OpGradient = {
  opType: 'Relu',
  rule: ({ emit, inputs }, [dy]) => {
    if (!dy) return [];
    const x = inputs[0];
    const dataType = emit.info(x).dataType;
    const positive = emit.node('Cast', [emit.node('Greater', [x, emit.scalar(0, dataType)])], { to: dataType });
    return [emit.node('Mul', [dy, positive])];
  },
};
