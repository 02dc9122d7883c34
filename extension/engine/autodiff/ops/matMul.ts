import { broadcastDims, unbroadcastToDims } from '../broadcast';
import { OpGradient } from '../opRule';

function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/**
 * y = A @ B with numpy semantics (batched, broadcasting, 1-D operands promoted to matrices):
 * dA = dy @ Bᵀ and dB = Aᵀ @ dy, each summed over the batch dims it was broadcast along. A 2-D weight
 * applied to batched activations takes a direct path: flatten the leading dims and do one [K,·]@[·,N] product.
 */
export const matMulGradient: OpGradient = {
  opType: 'MatMul',
  rule: ({ emit, inputs, needsGradient }, [dy]) => {
    if (!dy) return [];
    const [a, b] = inputs;
    const aDims = emit.info(a).dims;
    const bDims = emit.info(b).dims;
    const a2Dims = aDims.length === 1 ? [1, aDims[0]] : aDims;
    const b2Dims = bDims.length === 1 ? [bDims[0], 1] : bDims;
    const a2 = aDims.length === 1 ? emit.unsqueeze(a, [0]) : a;
    const b2 = bDims.length === 1 ? emit.unsqueeze(b, [1]) : b;
    const batchDims = broadcastDims(a2Dims.slice(0, -2), b2Dims.slice(0, -2));
    const rank = batchDims.length + 2;
    const restoreAxes: number[] = [];
    if (aDims.length === 1) restoreAxes.push(rank - 2);
    if (bDims.length === 1) restoreAxes.push(rank - 1);
    const dy2 = restoreAxes.length > 0 ? emit.unsqueeze(dy, restoreAxes) : dy;
    const [m, k] = a2Dims.slice(-2);
    const n = b2Dims[b2Dims.length - 1];

    let da: string | undefined;
    if (needsGradient(0)) {
      const full = emit.matMul(dy2, rank, emit.transpose(b2, swapLastTwo(b2Dims.length)), b2Dims.length);
      da = unbroadcastToDims(emit, full, [...batchDims, m, k], a, a2Dims);
    }
    let db: string | undefined;
    if (needsGradient(1)) {
      if (bDims.length === 2 && aDims.length > 2) {
        const rows = emit.node('Reshape', [a, emit.ints([-1, k])]);
        const gradRows = emit.node('Reshape', [dy, emit.ints([-1, n])]);
        db = emit.node('MatMul', [emit.transpose(rows, [1, 0]), gradRows]);
      } else {
        const full = emit.matMul(emit.transpose(a2, swapLastTwo(a2Dims.length)), a2Dims.length, dy2, rank);
        db = unbroadcastToDims(emit, full, [...batchDims, k, n], b, b2Dims);
      }
    }
    return [da, db];
  },
};
