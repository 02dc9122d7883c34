import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

export const addGradient: OpGradient = {
  opType: 'Add',
  rule: ({ emit, inputs, outputs, needsGradient }, [dy]) => {
    if (!dy) return [];
    return inputs.map((input, i) => (needsGradient(i) ? unbroadcast(emit, dy, input, outputs[0]) : undefined));
  },
};
