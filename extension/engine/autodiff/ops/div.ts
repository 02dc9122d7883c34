import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

/** y = a / b: da = dy / b, db = −dy · y / b (reusing the forward output y). */
export const divGradient: OpGradient = {
  opType: 'Div',
  rule: ({ emit, inputs, outputs, needsGradient }, [dy]) => {
    if (!dy) return [];
    const [a, b] = inputs;
    const y = outputs[0];
    const da = needsGradient(0) ? unbroadcast(emit, emit.node('Div', [dy, b]), a, y) : undefined;
    let db: string | undefined;
    if (needsGradient(1)) {
      const quotient = emit.node('Div', [emit.node('Mul', [dy, y]), b]);
      db = unbroadcast(emit, emit.node('Neg', [quotient]), b, y);
    }
    return [da, db];
  },
};
