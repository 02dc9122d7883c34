import { OpGradient } from '../opRule';

/** Identity passes the gradient through unchanged. */
export const identityGradient: OpGradient = { opType: 'Identity', rule: (_c, [dy]) => [dy] };
