import { OpGradient } from '../opRule';

/** Ops that only change the shape (same elements, same order): reshape the gradient to the input's shape. */
function shapeOnly(opType: string): OpGradient {
  return {
    opType,
    rule: ({ emit, inputs }, [dy]) => [dy && emit.reshapeLike(dy, inputs[0])],
  };
}

export const reshapeGradient = shapeOnly('Reshape');
export const flattenGradient = shapeOnly('Flatten');
/** Squeeze/Unsqueeze: axes as attribute (opset < 13) or input (≥ 13) do not matter to the gradient. */
export const squeezeGradient = shapeOnly('Squeeze');
export const unsqueezeGradient = shapeOnly('Unsqueeze');
