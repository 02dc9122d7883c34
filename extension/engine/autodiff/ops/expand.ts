import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

/** Expand is broadcasting: sum the gradient back over the expanded axes. */
export const expandGradient: OpGradient = {
  opType: 'Expand',
  rule: ({ emit, inputs, outputs }, [dy]) => [dy && unbroadcast(emit, dy, inputs[0], outputs[0])],
};
