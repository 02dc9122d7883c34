import { attributeInt } from '../../model/onnxProto';
import { GradientContext, OpGradient } from '../opRule';
import { normalizeAxis } from './axes';

/**
 * Softmax and LogSoftmax along one axis (opset ≥ 13) or over the flattened trailing axes (opset < 13, default
 * axis 1): older opsets are handled by flattening to 2-D, applying the rule along axis 1, and reshaping back.
 */
function alongAxis(context: GradientContext, dy: string, apply: (dy: string, y: string, axis: number) => string): string {
  const { emit, node, inputs, outputs } = context;
  const rank = emit.rank(inputs[0]);
  if (emit.opset >= 13) return apply(dy, outputs[0], normalizeAxis(attributeInt(node, 'axis') ?? -1, rank));
  const axis = normalizeAxis(attributeInt(node, 'axis') ?? 1, rank);
  const flatY = emit.node('Flatten', [outputs[0]], { axis });
  const flatDy = emit.node('Flatten', [dy], { axis });
  return emit.reshapeLike(apply(flatDy, flatY, 1), inputs[0]);
}

/** y = softmax(x): dx = y · (dy − Σ dy·y). */
export const softmaxGradient: OpGradient = {
  opType: 'Softmax',
  rule: (context, [dy]) => {
    if (!dy) return [];
    const { emit } = context;
    return [
      alongAxis(context, dy, (g, y, axis) => {
        const inner = emit.reduce('ReduceSum', emit.node('Mul', [g, y]), [axis], true);
        return emit.node('Mul', [y, emit.node('Sub', [g, inner])]);
      }),
    ];
  },
};

/** y = log softmax(x): dx = dy − exp(y) · Σ dy. */
export const logSoftmaxGradient: OpGradient = {
  opType: 'LogSoftmax',
  rule: (context, [dy]) => {
    if (!dy) return [];
    const { emit } = context;
    return [
      alongAxis(context, dy, (g, y, axis) => {
        const total = emit.reduce('ReduceSum', g, [axis], true);
        return emit.node('Sub', [g, emit.node('Mul', [emit.node('Exp', [y]), total])]);
      }),
    ];
  },
};
