/**
 * The forward pass behind a content-addressed cache: a record is keyed by the sha256 of its encoded model
 * input (the exact tensors the model sees), the cache folder by the model's bytes and the outputs fetched.
 * Editing one dataset line changes one key, so a re-audit runs the model on that line only; changing the
 * model, the featurizer or its vocabulary changes the keys (or the folder) and nothing stale is reused.
 * The first cached record is always recomputed and compared, so a cache that disagrees with the model is
 * dropped rather than trusted.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import { GradientCache } from '../cache/gradientCache';
import { cacheKey, sha256Hex } from '../cache/contentHash';
import { encodedInputHashes } from '../cache/inputHashes';
import type { Feeds, OutputTensor, Outputs } from '../runner/feeds';
import type { ModelRunner, RunOptions } from '../runner/modelRunner';

export interface ForwardCacheStats {
  folder: string;
  /** Records whose outputs came from the cache. */
  hits: number;
  /** Records run through the model. */
  misses: number;
  warnings: string[];
}

export interface CachedRunInput {
  runner: ModelRunner;
  examples: Example[];
  featurizer: Featurizer;
  batchSize: number;
  /** Float outputs to fetch, in this order. */
  outputs: string[];
  modelBytes: Uint8Array;
  cacheDir: string;
  runOptions: RunOptions;
}

const TOLERANCE = 1e-5;

export async function runCached(input: CachedRunInput): Promise<{ outputs: Outputs; stats: ForwardCacheStats }> {
  const { runner, examples, featurizer, batchSize } = input;
  const cache = GradientCache.open(input.cacheDir, cacheKey(sha256Hex(input.modelBytes), { kind: 'forward-outputs', outputs: input.outputs }));
  const hashes = encodedInputHashes(featurizer, examples, batchSize);

  const cached = hashes.map((hash) => cache.get(hash));
  const firstHit = cached.findIndex((vector) => vector !== undefined);
  // Recompute every miss, plus one hit as a consistency check (and to learn the output widths).
  const rerun = cached.flatMap((vector, i) => (vector === undefined || i === firstHit ? [i] : []));
  const fresh = await runner.run(batches(rerun.map((i) => examples[i]), featurizer, batchSize), input.runOptions);
  const widths = input.outputs.map((name) => widthOf(fresh[name]));
  const rowLength = widths.reduce((a, b) => a + b, 0);
  const freshRows = new Map<number, Float32Array>(rerun.map((example, r) => [example, rowOf(fresh, input.outputs, widths, r)]));

  const warnings = [...cache.warnings];
  let trusted = true;
  if (firstHit >= 0) {
    const stored = cached[firstHit]!;
    const recomputed = freshRows.get(firstHit)!;
    if (stored.length !== rowLength || stored.some((v, j) => Math.abs(v - recomputed[j]) > TOLERANCE * (1 + Math.abs(recomputed[j])))) {
      trusted = false;
      warnings.push(`the forward cache in ${cache.folder} disagreed with the model and was ignored`);
    }
  }
  // A trusted cache keeps its stored row for the rechecked record too: recomputed in another batch it rounds
  // differently (~1e-7), and a warm audit should reproduce the cold one's numbers exactly.
  if (trusted && firstHit >= 0) freshRows.delete(firstHit);
  const rows: Float32Array[] = [];
  const missing: number[] = [];
  examples.forEach((_, i) => {
    const row = freshRows.get(i) ?? (trusted ? cached[i] : undefined);
    if (row) rows[i] = row;
    else missing.push(i);
  });
  if (missing.length > 0) {
    const again = await runner.run(batches(missing.map((i) => examples[i]), featurizer, batchSize), input.runOptions);
    missing.forEach((example, r) => (rows[example] = rowOf(again, input.outputs, widths, r)));
  }
  cache.putMany(examples.flatMap((_, i) => (cached[i] === undefined || !trusted ? [{ recordHash: hashes[i], vector: rows[i] }] : [])));
  cache.flush();

  const outputs: Outputs = {};
  let offset = 0;
  input.outputs.forEach((name, o) => {
    const data = new Float32Array(examples.length * widths[o]);
    rows.forEach((row, i) => data.set(row.subarray(offset, offset + widths[o]), i * widths[o]));
    outputs[name] = { type: 'float32', dims: [examples.length, widths[o]], data };
    offset += widths[o];
  });
  const hits = trusted ? cached.filter((v, i) => v !== undefined && i !== firstHit).length : 0;
  return { outputs, stats: { folder: cache.folder, hits, misses: examples.length - hits, warnings } };
}

function widthOf(tensor: OutputTensor | undefined): number {
  if (!tensor) return 0;
  return tensor.data.length / Math.max(1, tensor.dims[0] ?? 1);
}

function rowOf(outputs: Outputs, names: string[], widths: number[], row: number): Float32Array {
  const out = new Float32Array(widths.reduce((a, b) => a + b, 0));
  let offset = 0;
  names.forEach((name, o) => {
    const data = outputs[name].data as Float32Array | Float64Array;
    for (let j = 0; j < widths[o]; j++) out[offset + j] = data[row * widths[o] + j];
    offset += widths[o];
  });
  return out;
}

function* batches(examples: Example[], featurizer: Featurizer, batchSize: number): Generator<Feeds> {
  for (let start = 0; start < examples.length; start += batchSize) yield featurizer.encode(examples.slice(start, start + batchSize));
}
