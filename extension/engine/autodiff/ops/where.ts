import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

/** Where(cond, x, y) (attention masks): x gets dy where cond holds, y gets the rest; cond gets nothing. */
export const whereGradient: OpGradient = {
  opType: 'Where',
  rule: ({ emit, inputs, outputs, needsGradient }, [dy]) => {
    if (!dy) return [];
    const [condition, x, y] = inputs;
    const dataType = emit.info(outputs[0]).dataType;
    const chosen = emit.node('Mul', [dy, emit.node('Cast', [condition], { to: dataType })]);
    return [
      undefined,
      needsGradient(1) ? unbroadcast(emit, chosen, x, outputs[0]) : undefined,
      needsGradient(2) ? unbroadcast(emit, emit.node('Sub', [dy, chosen]), y, outputs[0]) : undefined,
    ];
  },
};
