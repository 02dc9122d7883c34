/**
 * The training lines' per-example gradients held as one flat n × D matrix Φ (Float32, rows = lines, the
 * parameters' blocks side by side): what a preconditioner built from the gradients' second moment (TRAK's
 * ΦᵀΦ, EK-FAC's eigenvalue correction) has to see. Meant for projected gradients (D in the hundreds); the
 * identity and diagonal-Fisher paths stream instead and never hold Φ.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import type { GradientOutput } from '../autodiff/buildGradientModel';
import { PolicyTraceError } from '../errors';
import { forEachExampleGradient, type PerExampleGradientModel } from './fullModelGradients';

export interface GradientBlock {
  param: string;
  /** First column of the block in a flat row. */
  offset: number;
  /** Entries of the block (kOut × kIn for a projected layer, the parameter's size otherwise). */
  size: number;
}

export interface GradientLayout {
  blocks: GradientBlock[];
  dim: number;
}

export interface GradientMatrix extends GradientLayout {
  rows: number;
  /** rows × dim, row-major; unlabelled lines are zero rows. */
  data: Float32Array;
  /** 1 where the row is a real loss gradient (its line is labelled). */
  labelled: Uint8Array;
  /** The n of ΦᵀΦ/n: labelled lines (a true-Fisher matrix has one row per line and class). */
  exampleCount: number;
}

/** Above this many entries Φ would take more than ~1 GB: the caller must project the gradients. */
export const MAX_MATRIX_ENTRIES = 256 * 1024 * 1024;

export function gradientLayout(outputs: GradientOutput[]): GradientLayout {
  const blocks: GradientBlock[] = [];
  let dim = 0;
  for (const output of outputs) {
    const size = output.shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    blocks.push({ param: output.param, offset: dim, size });
    dim += size;
  }
  return { blocks, dim };
}

/** Flattens a per-parameter map (the policy query) into the layout's row order; absent parameters stay zero. */
export function flattenByLayout(layout: GradientLayout, perParam: Map<string, Float64Array>): Float64Array {
  const flat = new Float64Array(layout.dim);
  for (const block of layout.blocks) {
    const values = perParam.get(block.param);
    if (values) flat.set(values.subarray(0, block.size), block.offset);
  }
  return flat;
}

export async function collectGradientMatrix(
  gradients: PerExampleGradientModel,
  featurizer: Featurizer,
  examples: Example[],
  labels: Int32Array,
  batchSize: number,
): Promise<GradientMatrix> {
  const layout = gradientLayout(gradients.outputs);
  const rows = examples.length;
  if (rows * layout.dim > MAX_MATRIX_ENTRIES) {
    throw new PolicyTraceError(
      `${rows} lines × ${layout.dim} gradient coordinates is too large to hold for this preconditioner: set a LoGra projection (e.g. kIn = kOut = 16)`,
      { field: 'projection' },
      'bad-option',
    );
  }
  const offsets = new Map(layout.blocks.map((b) => [b.param, b.offset]));
  const data = new Float32Array(rows * layout.dim);
  const labelled = Uint8Array.from(labels, (y) => (y >= 0 ? 1 : 0));
  await forEachExampleGradient(gradients, featurizer, examples, labels, batchSize, (i, param, row) => {
    if (labelled[i]) data.set(row, i * layout.dim + offsets.get(param)!);
  });
  return { ...layout, rows, data, labelled, exampleCount: labelled.reduce((sum, flag) => sum + flag, 0) };
}
