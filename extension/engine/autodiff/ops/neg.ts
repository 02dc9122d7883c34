import { OpGradient } from '../opRule';

export const negGradient: OpGradient = {
  opType: 'Neg',
  rule: ({ emit }, [dy]) => [dy && emit.node('Neg', [dy])],
};
