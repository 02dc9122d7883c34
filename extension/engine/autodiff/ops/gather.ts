import { attributeInt, OnnxDataType } from '../../model/onnxProto';
import { OpGradient } from '../opRule';
import { normalizeAxis } from './axes';

/**
 * y = Gather(data, indices, axis k). Repeated indices must add up (an embedding row used twice gets both
 * gradients), so the scatter is a one-hot product: with data's axis k moved to the front,
 * d data[n, :] = Σ_j onehot(indices_j)[n] · dy[j, :] — one MatMul of OneHot(indices)ᵀ [n, J] by dy [J, rest].
 * This works at every opset (ScatterElements only learned reduction='add' at 16) and for activation gathers.
 */
export const gatherGradient: OpGradient = {
  opType: 'Gather',
  rule: ({ emit, node, inputs, outputs, needsGradient }, [dy]) => {
    if (!dy || !needsGradient(0)) return [];
    const [data, indices] = inputs;
    const dataRank = emit.rank(data);
    const indexRank = emit.rank(indices);
    const axis = normalizeAxis(attributeInt(node, 'axis') ?? 0, dataRank);
    const outRank = emit.rank(outputs[0]);
    const dataDataType = emit.info(data).dataType;

    // dy's dims: data[:k] + indices.shape + data[k+1:]; bring the index dims to the front.
    const indexAxes = Array.from({ length: indexRank }, (_, i) => axis + i);
    const before = Array.from({ length: axis }, (_, i) => i);
    const after = Array.from({ length: outRank - axis - indexRank }, (_, i) => axis + indexRank + i);
    const frontDy = emit.transpose(dy, [...indexAxes, ...before, ...after]);

    const int64Indices = emit.info(indices).dataType === OnnxDataType.INT64 ? indices : emit.node('Cast', [indices], { to: OnnxDataType.INT64 });
    const flatIndices = emit.node('Reshape', [int64Indices, emit.ints([-1])]);
    const dataShape = emit.shape(data);
    const depth = emit.node('Gather', [dataShape, emit.ints([axis], [])], { axis: 0 });
    const hot = emit.oneHot(flatIndices, depth, dataDataType);
    const rows = emit.node('Reshape', [frontDy, emit.node('Concat', [emit.node('Shape', [flatIndices]), emit.ints([-1])], { axis: 0 })]);
    const scattered = emit.node('MatMul', [emit.transpose(hot, [1, 0]), rows]);

    // Back to data's layout: reshape to data with axis k first, then undo that permutation.
    const frontPerm = [axis, ...Array.from({ length: dataRank }, (_, i) => i).filter((i) => i !== axis)];
    const frontShape = emit.node('Gather', [dataShape, emit.ints(frontPerm)], { axis: 0 });
    const shaped = emit.node('Reshape', [scattered, frontShape]);
    const inverse = new Array<number>(dataRank);
    frontPerm.forEach((source, position) => (inverse[source] = position));
    return [emit.transpose(shaped, inverse), undefined];
  },
};
