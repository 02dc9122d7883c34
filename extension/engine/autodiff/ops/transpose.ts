import { attributeInts } from '../../model/onnxProto';
import { OpGradient } from '../opRule';

/**
 * Transpose back with the inverse permutation (default perm reverses the axes); when dy is a product the
 * backward just formed, the emitter may reorder it instead (GraphEmitter.transposeOfProduct).
 */
export const transposeGradient: OpGradient = {
  opType: 'Transpose',
  rule: ({ emit, node, inputs }, [dy]) => {
    if (!dy) return [];
    const rank = emit.rank(inputs[0]);
    const perm = attributeInts(node, 'perm') ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    const inverse = new Array<number>(rank);
    perm.forEach((axis, position) => (inverse[axis] = position));
    // A broadcast gradient stays one: transpose the small tensor and leave the Expand to the sum.
    if (inverse.every((axis, i) => axis === i)) return [dy];
    const broadcast = emit.broadcastSource(dy);
    if (broadcast) return [emit.expandLater(emit.transpose(broadcast.source, inverse), inputs[0], broadcast.axes.map((a) => perm[a]).sort((a, b) => a - b))];
    return [emit.transposeOfProduct(dy, inverse)];
  },
};
