import { attributeInt } from '../../model/onnxProto';
import { OpGradient } from '../opRule';
import { normalizeAxis } from './axes';

/** The input's gradient is the pieces' gradients concatenated back; pieces nobody used contribute zeros. */
export const splitGradient: OpGradient = {
  opType: 'Split',
  rule: ({ emit, node, inputs, outputs }, outputGradients) => {
    const axis = normalizeAxis(attributeInt(node, 'axis') ?? 0, emit.rank(inputs[0]));
    const dataType = emit.info(inputs[0]).dataType;
    const pieces = outputs.map((output, i) => outputGradients[i] ?? emit.zerosLike(output, dataType));
    return [emit.node('Concat', pieces, { axis })];
  },
};
