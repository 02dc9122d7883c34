/**
 * Every training line's loss gradient for every class, ∇θ CE(x_i, c) (LoGra-projected), with log p(c | x_i) from
 * the same pass. Both matrices the curvature preconditioners hold come from it: the gold-label gradients Φ
 * (class c = y_i) and the true Fisher's square root (rows √p(c | x_i) · ∇θ CE(x_i, c), so ΦᵀΦ/n = E_x E_{c~p}
 * [g gᵀ], the Gauss-Newton matrix of softmax cross-entropy). Reading Φ off the class passes saves the separate
 * gold-label pass. Unlike the empirical Fisher, the true Fisher does not vanish on lines the model already fits,
 * which is where a planted trigger's lines sit.
 *
 * Nothing here depends on the labels, so an on-disk cache can key each line by its encoded model input alone
 * (the model's bytes, the projection and the class count name the folder): a re-audit after editing a few lines
 * runs the gradient graph on those lines only. The first cached line is always recomputed and compared, and a
 * cache that disagrees with the model is ignored, as the forward cache does.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import type { ProjectionOptions } from '../autodiff/projection';
import { GradientCache } from '../cache/gradientCache';
import { cacheKey, sha256Hex } from '../cache/contentHash';
import { encodedInputHashes } from '../cache/inputHashes';
import { PolicyTraceError } from '../errors';
import { forEachExampleGradient, type PerExampleGradientModel } from './fullModelGradients';
import { gradientLayout, MAX_MATRIX_ENTRIES, type GradientLayout, type GradientMatrix } from './fullModelMatrix';

export interface ClassGradients extends GradientLayout {
  lines: number;
  classCount: number;
  /** lines × classes × dim: row (i, c) = ∇θ CE(x_i, c). */
  gradients: Float32Array;
  /** lines × classes: log p(c | x_i), as the model computes it (float32). */
  logProb: Float32Array;
}

export interface ClassGradientCache {
  dir: string;
  modelBytes: Uint8Array;
  projection: ProjectionOptions | undefined;
}

export interface ClassGradientStats {
  folder: string;
  hits: number;
  misses: number;
  warnings: string[];
}

const TOLERANCE = 1e-5;

function allocate(layout: GradientLayout, lines: number, classCount: number): ClassGradients {
  if (lines * classCount * layout.dim > MAX_MATRIX_ENTRIES) {
    throw new PolicyTraceError(`${lines} lines × ${classCount} classes × ${layout.dim} gradient coordinates is too large to hold: set a LoGra projection`, { field: 'projection' }, 'bad-option');
  }
  return { ...layout, lines, classCount, gradients: new Float32Array(lines * classCount * layout.dim), logProb: new Float32Array(lines * classCount) };
}

/** One pass per class over `examples` (unlabelled lines are fed like the others: these rows do not need labels). */
export async function collectClassGradients(
  loss: PerExampleGradientModel,
  featurizer: Featurizer,
  examples: Example[],
  classCount: number,
  batchSize: number,
): Promise<ClassGradients> {
  const result = allocate(gradientLayout(loss.outputs), examples.length, classCount);
  const offsets = new Map(result.blocks.map((b) => [b.param, b.offset]));
  for (let c = 0; c < classCount; c++) {
    const labels = new Int32Array(examples.length).fill(c);
    const onObjective = (i: number, value: number) => (result.logProb[i * classCount + c] = -value);
    await forEachExampleGradient(loss, featurizer, examples, labels, batchSize, (i, param, row) => {
      result.gradients.set(row, (i * classCount + c) * result.dim + offsets.get(param)!);
    }, onObjective);
  }
  return result;
}

/** The same, through the on-disk cache: only lines whose encoded input the cache lacks go through the model. */
export async function cachedClassGradients(
  loss: PerExampleGradientModel,
  featurizer: Featurizer,
  examples: Example[],
  classCount: number,
  batchSize: number,
  cacheOptions: ClassGradientCache,
): Promise<{ classGradients: ClassGradients; stats: ClassGradientStats }> {
  const layout = gradientLayout(loss.outputs);
  const width = classCount * (1 + layout.dim);
  const blocks = layout.blocks.map((b) => `${b.param}:${b.size}`);
  const cache = GradientCache.open(cacheOptions.dir, cacheKey(sha256Hex(cacheOptions.modelBytes), { kind: 'class-loss-gradients', projection: cacheOptions.projection ?? null, classCount, blocks }));
  const hashes = encodedInputHashes(featurizer, examples, batchSize);
  const cached = hashes.map((hash) => cache.get(hash));
  const firstHit = cached.findIndex((vector) => vector !== undefined && vector.length === width);
  const rerun = cached.flatMap((vector, i) => (vector === undefined || vector.length !== width || i === firstHit ? [i] : []));
  const fresh = await collectClassGradients(loss, featurizer, rerun.map((i) => examples[i]), classCount, batchSize);
  const freshVector = new Map(rerun.map((line, r) => [line, packLine(fresh, r)]));

  const warnings = [...cache.warnings];
  let trusted = true;
  if (firstHit >= 0) {
    const stored = cached[firstHit]!;
    const recomputed = freshVector.get(firstHit)!;
    const scale = recomputed.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    if (stored.some((v, j) => !(Math.abs(v - recomputed[j]) <= TOLERANCE * (1 + scale)))) {
      trusted = false;
      warnings.push(`the gradient cache in ${cache.folder} disagreed with the model and was ignored`);
    } else {
      // Keep the stored vector: a line recomputed alone rounds differently (~1e-7) from the batch that stored it,
      // and a warm cache should reproduce the cold audit's numbers exactly.
      freshVector.delete(firstHit);
    }
  }
  const missing = trusted ? [] : cached.flatMap((vector, i) => (vector !== undefined && !freshVector.has(i) ? [i] : []));
  const again = await collectClassGradients(loss, featurizer, missing.map((i) => examples[i]), classCount, batchSize);
  missing.forEach((line, r) => freshVector.set(line, packLine(again, r)));

  const result = allocate(layout, examples.length, classCount);
  examples.forEach((_, i) => unpackLine(freshVector.get(i) ?? cached[i]!, result, i));
  cache.putMany(Array.from(freshVector, ([line, vector]) => ({ recordHash: hashes[line], vector })));
  cache.flush();
  const hits = examples.length - freshVector.size;
  return { classGradients: result, stats: { folder: cache.folder, hits, misses: examples.length - hits, warnings } };
}

/** [log p(c | x) for every c, then ∇θ CE(x, c) for every c]: one cache vector per line. */
function packLine(source: ClassGradients, line: number): Float32Array {
  const { classCount, dim } = source;
  const vector = new Float32Array(classCount * (1 + dim));
  vector.set(source.logProb.subarray(line * classCount, (line + 1) * classCount));
  vector.set(source.gradients.subarray(line * classCount * dim, (line + 1) * classCount * dim), classCount);
  return vector;
}

function unpackLine(vector: Float32Array, into: ClassGradients, line: number): void {
  const { classCount, dim } = into;
  into.logProb.set(vector.subarray(0, classCount), line * classCount);
  into.gradients.set(vector.subarray(classCount), line * classCount * dim);
}

/** Φ: each labelled line's gradient for its gold class; unlabelled lines are zero rows. */
export function goldLabelMatrix(source: ClassGradients, labels: Int32Array): GradientMatrix {
  const { lines, classCount, dim } = source;
  const data = new Float32Array(lines * dim);
  const labelled = Uint8Array.from(labels, (y) => (y >= 0 ? 1 : 0));
  for (let i = 0; i < lines; i++) {
    if (!labelled[i]) continue;
    const start = (i * classCount + labels[i]) * dim;
    data.set(source.gradients.subarray(start, start + dim), i * dim);
  }
  return { blocks: source.blocks, dim, rows: lines, data, labelled, exampleCount: labelled.reduce((sum, flag) => sum + flag, 0) };
}

/** The true Fisher's square root over the labelled lines: rows (i, c) = √p(c | x_i) · ∇θ CE(x_i, c). */
export function trueFisherMatrix(source: ClassGradients, labels: Int32Array): GradientMatrix {
  const { lines, classCount, dim } = source;
  const rows = lines * classCount;
  const data = new Float32Array(rows * dim);
  const labelled = new Uint8Array(rows);
  for (let i = 0; i < lines; i++) {
    if (labels[i] < 0) continue;
    for (let c = 0; c < classCount; c++) {
      const row = i * classCount + c;
      const weight = Math.sqrt(Math.exp(source.logProb[row]));
      for (let k = 0; k < dim; k++) data[row * dim + k] = weight * source.gradients[row * dim + k];
      labelled[row] = 1;
    }
  }
  return { blocks: source.blocks, dim, rows, data, labelled, exampleCount: labels.reduce((sum, y) => sum + (y >= 0 ? 1 : 0), 0) };
}
