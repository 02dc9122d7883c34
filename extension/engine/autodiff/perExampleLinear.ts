/**
 * Per-example gradients of linear layers and embeddings. Examples in a batch do not interact, so for y = a·W
 * the gradient of example i is Σ_t a_it δ_itᵀ over that example's rows t (tokens, positions), one batched
 * MatMul over [batch, rows, features] views; with LoGra projections it is (P_out δ)(P_in a)ᵀ, k_out × k_in.
 * An embedding is the linear layer with a = onehot(token id), so P_in a is a row gather of P_inᵀ.
 */
import { OnnxDataType } from '../model/onnxProto';
import { exampleRowCount, sumExampleRows, toExampleRows } from './exampleRows';
import { GraphEmitter } from './graphEmitter';
import { EmbeddingUse, LinearUse } from './parameterUses';
import { BatchLayout } from './probe';
import { ProjectionOptions, projectionMatrix } from './projection';

export interface EmittedPerExample {
  output: string;
  /** Dims with −1 for the batch axis. */
  shape: number[];
  /**
   * Projected layers only: the K-FAC factors' raw material, P_in a as [batch, rows, kIn] and P_out δ as
   * [batch, rows, kOut], so that the per-example gradient is Σ_rows (P_out δ)(P_in a)ᵀ.
   */
  factors?: { activation: string; delta: string };
}

/**
 * [batch, rows, k] rows of `tensor` (features on its last axis) times `matrix` [features, k]: projected where
 * it lies first, so the rearranging into example rows moves k columns instead of every feature.
 */
function projectedRows(emit: GraphEmitter, tensor: string, dims: number[], layout: BatchLayout, matrix: string, k: number): string {
  const projected = emit.node('MatMul', [tensor, matrix]);
  return toExampleRows(emit, projected, [...dims.slice(0, -1), k], layout, dims.length - 1);
}

/**
 * Σ_rows (P_out δ)(P_in a)ᵀ when δ is the same on every row of an example (the gradient of a mean over
 * tokens): then it is (P_out δ)(Σ_rows P_in a)ᵀ, a [kOut, 1]·[1, kIn] product per example, and the broadcast
 * δ is never formed. Undefined when δ is not such a broadcast.
 */
function rowConstantProduct(
  emit: GraphEmitter,
  delta: string,
  dims: number[],
  layout: BatchLayout,
  outMatrix: string,
  activationRows: { tensor: string; rows: number; kIn: number },
  dataType: number,
): string | undefined {
  const broadcast = emit.broadcastSource(delta);
  const featureAxis = dims.length - 1;
  const rowAxes = dims.map((_, axis) => axis).filter((axis) => axis !== layout.axis && axis !== featureAxis);
  if (!broadcast || layout.factor !== 1 || rowAxes.length === 0 || broadcast.axes.join() !== rowAxes.join()) return undefined;
  // Every row axis of the small tensor has size 1, so its elements are already [batch, features].
  const perExample = emit.node('Reshape', [broadcast.source, emit.ints([-1, dims[featureAxis]])]);
  const column = emit.unsqueeze(emit.node('MatMul', [perExample, outMatrix]), [2]); // [batch, kOut, 1]
  const rowsLayout: BatchLayout = { axis: 0, factor: 1, order: 'batch-major' };
  const rowSum = sumExampleRows(emit, activationRows.tensor, [1, activationRows.rows, activationRows.kIn], rowsLayout, dataType); // [batch, kIn]
  return emit.node('Mul', [column, emit.unsqueeze(rowSum, [1])]);
}

/** Returns the emitted tensor, or the reason none could be emitted. */
export function emitLinearPerExample(
  emit: GraphEmitter,
  use: LinearUse | EmbeddingUse,
  delta: string,
  layouts: Map<string, BatchLayout>,
  projection?: ProjectionOptions,
): EmittedPerExample | string {
  const output = use.node.output![0];
  const activationLayout = layouts.get(use.activation);
  const deltaLayout = layouts.get(output);
  if (!activationLayout || !deltaLayout) return `the probe found no batch axis for '${activationLayout ? output : use.activation}'`;
  const outDims = emit.info(output).dims;
  const paramDims = emit.info(use.param).dims;
  const dataType = emit.info(use.param).dataType;
  const activationDims = emit.info(use.activation).dims;
  const swap = (t: string) => emit.transpose(t, [0, 2, 1]);
  const outFeatures = outDims[outDims.length - 1];

  let activationRows: string;
  if (use.kind === 'embedding') {
    const ids = toExampleRows(emit, use.activation, activationDims, activationLayout, null);
    const ids64 = emit.info(use.activation).dataType === OnnxDataType.INT64 ? ids : emit.node('Cast', [ids], { to: OnnxDataType.INT64 });
    const vocabulary = paramDims[0];
    activationRows = projection
      ? emit.node('Gather', [projectionMatrix(emit, use.param, 'in', vocabulary, projection.kIn, projection.seed, dataType), ids64], { axis: 0 })
      : emit.oneHot(ids64, emit.ints([vocabulary], []), dataType);
  } else {
    const inFeatures = activationDims[use.featureAxis];
    const matrix = () => projectionMatrix(emit, use.param, 'in', inFeatures, projection!.kIn, projection!.seed, dataType);
    if (projection && use.featureAxis === activationDims.length - 1) {
      activationRows = projectedRows(emit, use.activation, activationDims, activationLayout, matrix(), projection.kIn);
    } else {
      const rows = toExampleRows(emit, use.activation, activationDims, activationLayout, use.featureAxis);
      activationRows = projection ? emit.node('MatMul', [rows, matrix()]) : rows;
    }
  }

  let gradient: string;
  let shape: number[];
  if (projection) {
    const outMatrix = projectionMatrix(emit, use.param, 'out', outFeatures, projection.kOut, projection.seed, dataType);
    const projectedDelta = projectedRows(emit, delta, outDims, deltaLayout, outMatrix, projection.kOut);
    const rows = { tensor: activationRows, rows: exampleRowCount(activationDims, activationLayout, use.kind === 'embedding' ? null : use.featureAxis), kIn: projection.kIn };
    gradient = rowConstantProduct(emit, delta, outDims, deltaLayout, outMatrix, rows, dataType) ?? emit.node('MatMul', [swap(projectedDelta), activationRows]);
    shape = [-1, projection.kOut, projection.kIn];
    if (use.kind === 'linear' && use.alpha !== 1) return { output: emit.node('Mul', [gradient, emit.scalar(use.alpha, dataType)]), shape, factors: { activation: activationRows, delta: emit.node('Mul', [projectedDelta, emit.scalar(use.alpha, dataType)]) } };
    return { output: gradient, shape, factors: { activation: activationRows, delta: projectedDelta } };
  } else {
    const deltaRows = toExampleRows(emit, delta, outDims, deltaLayout, outDims.length - 1);
    const outByIn = use.kind === 'linear' && use.outByIn;
    gradient = outByIn ? emit.node('MatMul', [swap(deltaRows), activationRows]) : emit.node('MatMul', [swap(activationRows), deltaRows]);
    shape = [-1, ...paramDims];
  }
  if (use.kind === 'linear' && use.alpha !== 1) gradient = emit.node('Mul', [gradient, emit.scalar(use.alpha, dataType)]);
  return { output: gradient, shape };
}
