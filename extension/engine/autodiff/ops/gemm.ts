import { attributeFloat, attributeInt } from '../../model/onnxProto';
import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';

/**
 * Y = α·op(A)·op(B) + β·C, op = transpose when transA/transB. With A' = op(A), B' = op(B):
 * dA' = α·dY·B'ᵀ and dB' = α·A'ᵀ·dY, transposed back when the operand was transposed — each written as one
 * Gemm with the right trans flags. dC = β·dY summed over C's broadcast axes.
 */
export const gemmGradient: OpGradient = {
  opType: 'Gemm',
  rule: ({ emit, node, inputs, outputs, needsGradient }, [dy]) => {
    if (!dy) return [];
    const [a, b, c] = inputs;
    const alpha = attributeFloat(node, 'alpha') ?? 1;
    const beta = attributeFloat(node, 'beta') ?? 1;
    const transA = attributeInt(node, 'transA') ?? 0;
    const transB = attributeInt(node, 'transB') ?? 0;
    const scaled = { alpha: { float: alpha } };

    let da: string | undefined;
    if (needsGradient(0)) {
      da = transA
        ? emit.node('Gemm', [b, dy], { ...scaled, transA: transB, transB: 1 })
        : emit.node('Gemm', [dy, b], { ...scaled, transA: 0, transB: 1 - transB });
    }
    let db: string | undefined;
    if (needsGradient(1)) {
      db = transB
        ? emit.node('Gemm', [dy, a], { ...scaled, transA: 1, transB: transA })
        : emit.node('Gemm', [a, dy], { ...scaled, transA: 1 - transA, transB: 0 });
    }
    let dc: string | undefined;
    if (c && needsGradient(2)) {
      const scaledDy = beta === 1 ? dy : emit.node('Mul', [dy, emit.scalarLike(beta, outputs[0])]);
      dc = unbroadcast(emit, scaledDy, c, outputs[0]);
    }
    return [da, db, dc];
  },
};
