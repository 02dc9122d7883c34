import { OpGradient } from '../opRule';

/** y = ln x: dx = dy / x. */
export const logGradient: OpGradient = {
  opType: 'Log',
  rule: ({ emit, inputs }, [dy]) => [dy && emit.node('Div', [dy, inputs[0]])],
};
