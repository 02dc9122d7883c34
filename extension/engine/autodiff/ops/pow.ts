import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

/**
 * y = x^c: dx = dy · c · x^(c−1) (the exponent is usually a Constant, e.g. LayerNorm's square);
 * a differentiable exponent gets dc = dy · y · ln x.
 */
export const powGradient: OpGradient = {
  opType: 'Pow',
  rule: (context, [dy]) => {
    if (!dy) return [];
    const { emit, inputs, outputs, needsGradient } = context;
    const [x, c] = inputs;
    const y = outputs[0];
    const dataType = emit.info(x).dataType;
    let dx: string | undefined;
    if (needsGradient(0) && context.constantValues(c)?.join() === '2') {
      // The square in decomposed LayerNorm/variance: 2·x·dy, avoiding a general Pow kernel.
      dx = unbroadcast(emit, emit.node('Mul', [dy, emit.node('Mul', [x, emit.scalar(2, dataType)])]), x, y);
    } else if (needsGradient(0)) {
      const exponent = emit.info(c).dataType === dataType ? c : emit.node('Cast', [c], { to: dataType });
      const lowered = emit.node('Pow', [x, emit.node('Sub', [exponent, emit.scalar(1, dataType)])]);
      dx = unbroadcast(emit, emit.node('Mul', [dy, emit.node('Mul', [exponent, lowered])]), x, y);
    }
    let dc: string | undefined;
    if (needsGradient(1)) {
      dc = unbroadcast(emit, emit.node('Mul', [dy, emit.node('Mul', [y, emit.node('Log', [x])])]), c, y);
    }
    return [dx, dc];
  },
};
