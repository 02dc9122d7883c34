import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

/** d(a·b) = b·dy for a and a·dy for b, each summed back over its broadcast axes. */
export const mulGradient: OpGradient = {
  opType: 'Mul',
  rule: ({ emit, inputs, outputs, needsGradient }, [dy]) => {
    if (!dy) return [];
    const [a, b] = inputs;
    return [
      needsGradient(0) ? unbroadcast(emit, emit.node('Mul', [dy, b]), a, outputs[0]) : undefined,
      needsGradient(1) ? unbroadcast(emit, emit.node('Mul', [dy, a]), b, outputs[0]) : undefined,
    ];
  },
};
