import { OpGradient } from '../opRule';

/** Dropout at inference is the identity on its first output; the mask output carries no gradient. */
export const dropoutGradient: OpGradient = { opType: 'Dropout', rule: (_c, [dy]) => [dy] };
