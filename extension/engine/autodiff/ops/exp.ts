import { OpGradient } from '../opRule';

/** y = eˣ: dx = dy · y. */
export const expGradient: OpGradient = {
  opType: 'Exp',
  rule: ({ emit, outputs }, [dy]) => [dy && emit.node('Mul', [dy, outputs[0]])],
};
