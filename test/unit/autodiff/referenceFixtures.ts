/** Loads the torch-reference gradient fixtures written by scripts/fixtures/autodiff/make_gradient_fixtures.py. */
import * as fs from 'fs';
import * as path from 'path';
import { ExampleFeeds, ort } from '../../../extension/engine/autodiff/ort';

export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const fixtureDir = path.join(repoRoot, 'test', 'fixtures', 'autodiff');

interface Slice {
  offset: number;
  length: number;
}

interface ReferenceIndex {
  model: string;
  inputName: string;
  batch: number;
  input: { dtype: 'int64' | 'float32'; dims: number[]; values: number[] };
  objectives: Record<string, { targets: number[]; values: number[]; params: Record<string, { shape: number[]; perExample: Slice; summed: Slice }> }>;
}

export interface ReferenceObjective {
  targets: BigInt64Array;
  values: number[];
  params: Map<string, { shape: number[]; perExample: Float32Array; summed: Float32Array }>;
}

export interface ReferenceFixture {
  modelPath: string;
  feeds: ExampleFeeds;
  batch: number;
  objectives: Map<string, ReferenceObjective>;
}

export function loadReference(name: string): ReferenceFixture {
  const index = JSON.parse(fs.readFileSync(path.join(fixtureDir, `${name}.grads.json`), 'utf8')) as ReferenceIndex;
  const blob = fs.readFileSync(path.join(fixtureDir, `${name}.grads.bin`));
  const floats = new Float32Array(new Uint8Array(blob).buffer);
  const take = (s: Slice) => floats.subarray(s.offset, s.offset + s.length);
  const modelPath = index.model.startsWith('../') ? path.resolve(repoRoot, index.model) : path.join(fixtureDir, index.model);
  const input =
    index.input.dtype === 'int64'
      ? new (ort().Tensor)('int64', BigInt64Array.from(index.input.values, BigInt), index.input.dims)
      : new (ort().Tensor)('float32', Float32Array.from(index.input.values), index.input.dims);
  const objectives = new Map<string, ReferenceObjective>();
  for (const [objective, entry] of Object.entries(index.objectives)) {
    const params = new Map(Object.entries(entry.params).map(([p, g]) => [p, { shape: g.shape, perExample: take(g.perExample), summed: take(g.summed) }]));
    objectives.set(objective, { targets: BigInt64Array.from(entry.targets, BigInt), values: entry.values, params });
  }
  return { modelPath, feeds: { [index.inputName]: input }, batch: index.batch, objectives };
}

/** max |a − b| / max |b|: the error relative to the matrix's scale (element-wise ratios blow up near zero). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
