import { attributeInts } from '../../model/onnxProto';
import { OpGradient } from '../opRule';

/** Transpose back with the inverse permutation (default perm reverses the axes). */
export const transposeGradient: OpGradient = {
  opType: 'Transpose',
  rule: ({ emit, node, inputs }, [dy]) => {
    if (!dy) return [];
    const rank = emit.rank(inputs[0]);
    const perm = attributeInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((axis, position) => (inverse[axis] = position));
    return [emit.transpose(dy, inverse)];
  },
};
