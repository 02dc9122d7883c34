import { attributeInt } from '../../model/onnxProto';
import { OpGradient } from '../opRule';
import { normalizeAxis } from './axes';

/**
 * Each input gets its own slab of dy along the concat axis. Offsets come from the inputs' run-time shapes
 * (Shape → Slice → running Add), so concatenation along the batch or sequence axis stays correct at any size.
 */
export const concatGradient: OpGradient = {
  opType: 'Concat',
  rule: (context, [dy]) => {
    if (!dy) return [];
    const { emit, node, inputs, needsGradient } = context;
    if (emit.opset < 10) context.unsupported('Concat gradients need opset ≥ 10 (Slice with starts/ends inputs)');
    const axis = normalizeAxis(attributeInt(node, 'axis') ?? 0, emit.rank(inputs[0]));
    const axes = emit.ints([axis]);
    let start = emit.ints([0]);
    return inputs.map((input, i) => {
      const size = emit.node('Slice', [emit.shape(input), emit.ints([axis]), emit.ints([axis + 1])]);
      const end = emit.node('Add', [start, size]);
      const slab = needsGradient(i) ? emit.node('Slice', [dy, start, end, axes]) : undefined;
      start = end;
      return slab;
    });
  },
};
