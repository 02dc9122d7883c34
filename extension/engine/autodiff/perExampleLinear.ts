/**
 * Per-example gradients of linear layers and embeddings. Examples in a batch do not interact, so for y = a·W
 * the gradient of example i is Σ_t a_it δ_itᵀ over that example's rows t (tokens, positions), one batched
 * MatMul over [batch, rows, features] views; with LoGra projections it is (P_out δ)(P_in a)ᵀ, k_out × k_in.
 * An embedding is the linear layer with a = onehot(token id), so P_in a is a row gather of P_inᵀ.
 */
import { OnnxDataType } from '../model/onnxProto';
import { toExampleRows } from './exampleRows';
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
  const deltaRows = toExampleRows(emit, delta, outDims, deltaLayout, outDims.length - 1);
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
    const rows = toExampleRows(emit, use.activation, activationDims, activationLayout, use.featureAxis);
    const inFeatures = activationDims[use.featureAxis];
    activationRows = projection ? emit.node('MatMul', [rows, projectionMatrix(emit, use.param, 'in', inFeatures, projection.kIn, projection.seed, dataType)]) : rows;
  }

  let gradient: string;
  let shape: number[];
  if (projection) {
    const projectedDelta = emit.node('MatMul', [deltaRows, projectionMatrix(emit, use.param, 'out', outFeatures, projection.kOut, projection.seed, dataType)]);
    gradient = emit.node('MatMul', [swap(projectedDelta), activationRows]);
    shape = [-1, projection.kOut, projection.kIn];
    if (use.kind === 'linear' && use.alpha !== 1) return { output: emit.node('Mul', [gradient, emit.scalar(use.alpha, dataType)]), shape, factors: { activation: activationRows, delta: emit.node('Mul', [projectedDelta, emit.scalar(use.alpha, dataType)]) } };
    return { output: gradient, shape, factors: { activation: activationRows, delta: projectedDelta } };
  } else {
    const outByIn = use.kind === 'linear' && use.outByIn;
    gradient = outByIn ? emit.node('MatMul', [swap(deltaRows), activationRows]) : emit.node('MatMul', [swap(activationRows), deltaRows]);
    shape = [-1, ...paramDims];
  }
  if (use.kind === 'linear' && use.alpha !== 1) gradient = emit.node('Mul', [gradient, emit.scalar(use.alpha, dataType)]);
  return { output: gradient, shape };
}
