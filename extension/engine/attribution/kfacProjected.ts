/**
 * K-FAC and EK-FAC per linear layer in the LoGra-projected space (Grosse et al. 2023; Kronfluence's recipe):
 *   A = E_rows[ã ãᵀ] (ã = P_in a, kIn × kIn, averaged over every row/token),
 *   G = E_x Σ_rows E_{c~p(·|x)}[δ̃ δ̃ᵀ] (δ̃ = P_out δ for label c, kOut × kOut; the true Fisher, as Kronfluence samples labels),
 *   F_layer ≈ G ⊗ A = (U_G ⊗ U_A) diag(λ_G λ_Aᵀ) (U_G ⊗ U_A)ᵀ.
 * EK-FAC keeps the Kronecker eigenbasis but replaces λ_G λ_Aᵀ with the exact second moment of the per-example
 * gradients in that basis: Λ_jk = E[(U_Gᵀ G_i U_A)_jk²] (over the true-Fisher rows √p_c·g_i(c)).
 * (F + λI)⁻¹ Q = U_G [(U_Gᵀ Q U_A) ⊘ (Λ + λ)] U_Aᵀ with λ = dampingRatio × mean(Λ) per layer.
 * Parameters without a Kronecker form (biases, LayerNorm scales, unprojected layers) get their dense true-Fisher
 * block (Cholesky) up to MAX_DENSE_BLOCK coordinates, the diagonal beyond.
 */
import { addToDiagonal, choleskyFactor, choleskySolve } from '../linalg/cholesky';
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import { ort } from '../autodiff/ort';
import { PolicyTraceError } from '../errors';
import { encodeFeeds, LABELS_INPUT, type PerExampleGradientModel } from './fullModelGradients';
import type { GradientBlock, GradientMatrix } from './fullModelMatrix';
import type { FlatPreconditioner } from './trakProjected';
import { factorEigen, type FactorEigen } from './kfacEigen';

export interface KroneckerFactors {
  kIn: number;
  kOut: number;
  /** kIn × kIn, row-major. */
  activation: Float64Array;
  /** kOut × kOut, row-major. */
  delta: Float64Array;
}

const MAX_DENSE_BLOCK = 1024;

/** Accumulates A and G for every layer with factor outputs, one pass per class (the true Fisher's expectation). */
export async function accumulateFactors(
  gradients: PerExampleGradientModel,
  featurizer: Featurizer,
  examples: Example[],
  labels: Int32Array,
  classCount: number,
  batchSize: number,
): Promise<Map<string, KroneckerFactors>> {
  const factors = new Map<string, KroneckerFactors>();
  const activationRows = new Map<string, number>();
  const labelled = labels.reduce((sum, y) => sum + (y >= 0 ? 1 : 0), 0);
  const names = gradients.factorOutputs.flatMap((f) => [f.activation, f.delta]);
  for (let c = 0; c < classCount; c++) {
    for (let start = 0; start < examples.length; start += batchSize) {
      const batch = examples.slice(start, start + batchSize);
      const feeds = encodeFeeds(featurizer, batch, gradients.inputNames);
      feeds[LABELS_INPUT] = new (ort().Tensor)('int64', BigInt64Array.from(batch, () => BigInt(c)), [batch.length]);
      const results = await gradients.session.run(feeds, [...names, gradients.objectiveOutput]);
      const loss = results[gradients.objectiveOutput].data as Float32Array;
      for (const output of gradients.factorOutputs) {
        const a = results[output.activation];
        const d = results[output.delta];
        const [, rows, kIn] = a.dims.map(Number);
        const kOut = Number(d.dims[2]);
        let entry = factors.get(output.param);
        if (!entry) factors.set(output.param, (entry = { kIn, kOut, activation: new Float64Array(kIn * kIn), delta: new Float64Array(kOut * kOut) }));
        for (let b = 0; b < batch.length; b++) {
          if (labels[start + b] < 0) continue;
          if (c === 0) {
            addOuterRows(entry.activation, a.data as Float32Array, b * rows * kIn, rows, kIn, 1);
            activationRows.set(output.param, (activationRows.get(output.param) ?? 0) + rows);
          }
          addOuterRows(entry.delta, d.data as Float32Array, b * rows * kOut, rows, kOut, Math.exp(-loss[b]) / labelled);
        }
      }
    }
  }
  for (const [param, entry] of factors) {
    const count = activationRows.get(param) ?? 1;
    for (let j = 0; j < entry.activation.length; j++) entry.activation[j] /= count;
  }
  return factors;
}

/** target += weight × Σ_r x_r x_rᵀ over `rows` rows of width k starting at `offset`. */
function addOuterRows(target: Float64Array, data: Float32Array, offset: number, rows: number, k: number, weight: number): void {
  for (let r = 0; r < rows; r++) {
    const base = offset + r * k;
    for (let i = 0; i < k; i++) {
      const v = weight * data[base + i];
      if (v === 0) continue;
      for (let j = 0; j < k; j++) target[i * k + j] += v * data[base + j];
    }
  }
}

/** Y = Uᵀ X V for X (rows × cols) with U (rows × rows), V (cols × cols), eigenvectors in columns. */
function rotate(x: ArrayLike<number>, u: Float64Array, v: Float64Array, rows: number, cols: number, transpose: boolean): Float64Array {
  // transpose=false: Uᵀ X V (into the eigenbasis); true: U X Vᵀ (back out).
  const left = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let r = 0; r < rows; r++) {
      const w = transpose ? u[i * rows + r] : u[r * rows + i];
      if (w === 0) continue;
      for (let j = 0; j < cols; j++) left[i * cols + j] += w * x[r * cols + j];
    }
  }
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < cols; c++) {
      const value = left[i * cols + c];
      if (value === 0) continue;
      for (let j = 0; j < cols; j++) out[i * cols + j] += value * (transpose ? v[j * cols + c] : v[c * cols + j]);
    }
  }
  return out;
}

interface LayerSolve {
  block: GradientBlock;
  damping: number;
  apply(q: Float64Array): Float64Array;
}

function kroneckerLayer(block: GradientBlock, factors: KroneckerFactors, kind: 'kfac' | 'ekfac', fisherRows: GradientMatrix, dampingRatio: number): LayerSolve {
  const { kIn, kOut } = factors;
  if (kIn * kOut !== block.size) throw new PolicyTraceError(`K-FAC factors of '${block.param}' are ${kOut}×${kIn}, its gradient block has ${block.size} entries`, { field: block.param }, 'bad-gradients');
  const eigenA: FactorEigen = factorEigen(factors.activation, kIn, `K-FAC activation factor of '${block.param}'`);
  const eigenG: FactorEigen = factorEigen(factors.delta, kOut, `K-FAC gradient factor of '${block.param}'`);
  const scale = new Float64Array(kOut * kIn);
  if (kind === 'kfac') {
    for (let j = 0; j < kOut; j++) for (let k = 0; k < kIn; k++) scale[j * kIn + k] = Math.max(0, eigenG.values[j]) * Math.max(0, eigenA.values[k]);
  } else {
    for (let i = 0; i < fisherRows.rows; i++) {
      if (!fisherRows.labelled[i]) continue;
      const start = i * fisherRows.dim + block.offset;
      const rotated = rotate(fisherRows.data.subarray(start, start + block.size), eigenG.vectors, eigenA.vectors, kOut, kIn, false);
      for (let j = 0; j < rotated.length; j++) scale[j] += (rotated[j] * rotated[j]) / fisherRows.exampleCount;
    }
  }
  const mean = scale.reduce((sum, v) => sum + v, 0) / scale.length;
  const damping = dampingRatio * mean;
  if (!(damping > 0)) throw new PolicyTraceError(`the ${kind.toUpperCase()} curvature of '${block.param}' is zero: nothing to precondition`, { field: block.param }, 'degenerate-gradients');
  return {
    block,
    damping,
    apply: (q) => {
      const inBasis = rotate(q, eigenG.vectors, eigenA.vectors, kOut, kIn, false);
      for (let j = 0; j < inBasis.length; j++) inBasis[j] /= scale[j] + damping;
      return rotate(inBasis, eigenG.vectors, eigenA.vectors, kOut, kIn, true);
    },
  };
}

/** A block without Kronecker form: its dense true-Fisher block (small) or diagonal (large), damped the same way. */
function denseLayer(block: GradientBlock, fisherRows: GradientMatrix, dampingRatio: number): LayerSolve {
  const { size, offset } = block;
  const dense = size <= MAX_DENSE_BLOCK;
  const moment = new Float64Array(dense ? size * size : size);
  for (let i = 0; i < fisherRows.rows; i++) {
    if (!fisherRows.labelled[i]) continue;
    const row = fisherRows.data.subarray(i * fisherRows.dim + offset, i * fisherRows.dim + offset + size);
    for (let a = 0; a < size; a++) {
      const v = row[a] / fisherRows.exampleCount;
      if (v === 0) continue;
      if (!dense) moment[a] += v * row[a];
      else for (let b = 0; b <= a; b++) moment[a * size + b] += v * row[b];
    }
  }
  let trace = 0;
  for (let a = 0; a < size; a++) trace += dense ? moment[a * size + a] : moment[a];
  const damping = (dampingRatio * trace) / size;
  if (!(damping > 0)) throw new PolicyTraceError(`the Fisher block of '${block.param}' is zero: nothing to precondition`, { field: block.param }, 'degenerate-gradients');
  if (!dense) return { block, damping, apply: (q) => q.map((v, a) => v / (moment[a] + damping)) };
  const factor = choleskyFactor(addToDiagonal(moment, size, damping), size, `damped Fisher block of '${block.param}'`);
  return { block, damping, apply: (q) => choleskySolve(factor, q) };
}

export function kroneckerPreconditioner(
  kind: 'kfac' | 'ekfac',
  factors: Map<string, KroneckerFactors>,
  fisherRows: GradientMatrix,
  dampingRatio = 0.1,
): FlatPreconditioner {
  const layers = fisherRows.blocks.map((block) => {
    const layerFactors = factors.get(block.param);
    return layerFactors ? kroneckerLayer(block, layerFactors, kind, fisherRows, dampingRatio) : denseLayer(block, fisherRows, dampingRatio);
  });
  const dampings = layers.map((l) => `${l.block.param}${factors.has(l.block.param) ? '' : ' (dense block)'} λ=${l.damping.toExponential(3)}`);
  return {
    kind,
    damping: Math.max(...layers.map((l) => l.damping)),
    meanEigenvalue: layers.reduce((sum, l) => sum + l.damping, 0) / (dampingRatio * layers.length),
    description: `${kind === 'kfac' ? 'K-FAC' : 'EK-FAC'} per layer in the projected space (true Fisher over all classes; factors A = E[ã ãᵀ], G = E[δ̃ δ̃ᵀ]${kind === 'ekfac' ? ', eigenvalues corrected from the per-example gradients' : ''}), λ = ${dampingRatio} × mean eigenvalue per layer: ${dampings.join(', ')}`,
    apply: (v) => {
      const out = new Float64Array(v.length);
      for (const layer of layers) out.set(layer.apply(v.subarray(layer.block.offset, layer.block.offset + layer.block.size)), layer.block.offset);
      return out;
    },
  };
}
