import { OpGradient } from '../opRule';

/** Cast between float types: cast the gradient back to the input's type (integer casts never get here). */
export const castGradient: OpGradient = {
  opType: 'Cast',
  rule: ({ emit, inputs }, [dy]) => [dy && emit.node('Cast', [dy], { to: emit.info(inputs[0]).dataType })],
};
