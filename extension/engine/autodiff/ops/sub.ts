import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

export const subGradient: OpGradient = {
  opType: 'Sub',
  rule: ({ emit, inputs, outputs, needsGradient }, [dy]) => {
    if (!dy) return [];
    return [
      needsGradient(0) ? unbroadcast(emit, dy, inputs[0], outputs[0]) : undefined,
      needsGradient(1) ? unbroadcast(emit, emit.node('Neg', [dy]), inputs[1], outputs[0]) : undefined,
    ];
  },
};
