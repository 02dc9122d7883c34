/**
 * LDS against FULL retraining: the ground truth a planted case ships in full_retrain_lds.json (made once by
 * scripts/planted/full_retrain_lds.py with Debian's torch). Each subset reran the whole fine-tuning stage, every
 * layer, on a random half of train.jsonl; the file keeps the action's margin on every probe where the rule's
 * antecedent holds. The strength of a subset is the audit's own: the mean margin over the policy's covered
 * probes (policyMeasure.ts). Head retraining (lds.ts) cannot credit a line for what it taught the earlier layers;
 * this target can, so full-model and head-only attribution are compared on equal terms.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Example } from '../data/example';
import { spearman } from '../attribution/metrics';
import { PolicyTraceError } from '../errors';
import { SeededRandom } from '../linalg/rng';

interface FullRetrainFile {
  train_lines: number;
  probe_lines: number[];
  all_lines: number[];
  seed_noise: { seed: number; margins: number[] }[];
  subsets: { kept: string; margins: number[] }[];
}

export interface FullRetrainLds {
  subsets: number;
  /** Per subset: the policy's strength (mean margin over the covered probes, nats) after full retraining. */
  actual: number[];
  /** Strength after retraining on all lines with other fine-tuning seeds, and the seed-to-seed spread. */
  seedStrengths: number[];
  /** Standard deviation of the strength across seeds (all lines) over its deviation across subsets. */
  noiseToSignal: number;
  /** Spearman between Σ influence over each subset's kept lines and its retrained strength. */
  score(influence: Float64Array): number;
  /** LDS(a) − LDS(b) with a 95% paired-bootstrap interval over the subsets (see compareLds). */
  compare(a: Float64Array, b: Float64Array): LdsDifference;
  target: string;
}

export interface LdsDifference {
  difference: number;
  /** 2.5% and 97.5% quantiles of the difference over bootstrap resamples of the subsets. */
  low: number;
  high: number;
  resamples: number;
}

/**
 * Two attributions scored against the same 100 retrained subsets are not independent: a hard subset is hard for
 * both. Resampling the subsets with replacement and recomputing both Spearman correlations on each resample gives
 * the spread of their difference, so "full-model LDS is below head-only's" can be told from noise in the subsets.
 */
export function compareLds(predictedA: number[], predictedB: number[], actual: number[], resamples = 2000, seed = 11): LdsDifference {
  const random = new SeededRandom(seed);
  const n = actual.length;
  const differences: number[] = [];
  const pick = (values: number[], indices: number[]) => indices.map((i) => values[i]);
  for (let r = 0; r < resamples; r++) {
    const indices = Array.from({ length: n }, () => random.int(n));
    const truth = pick(actual, indices);
    const value = spearman(pick(predictedA, indices), truth) - spearman(pick(predictedB, indices), truth);
    if (Number.isFinite(value)) differences.push(value);
  }
  differences.sort((x, y) => x - y);
  const quantile = (q: number) => differences[Math.min(differences.length - 1, Math.max(0, Math.round(q * (differences.length - 1))))];
  return { difference: spearman(predictedA, actual) - spearman(predictedB, actual), low: quantile(0.025), high: quantile(0.975), resamples: differences.length };
}

const FILE = 'full_retrain_lds.json';

/** Line numbers kept in a subset: bit i (little-endian within each byte) of the hex mask = line i + 1. */
export function keptLines(hex: string, lineCount: number): number[] {
  const lines: number[] = [];
  for (let i = 0; i < lineCount; i++) {
    const byte = parseInt(hex.slice(2 * (i >> 3), 2 * (i >> 3) + 2), 16);
    if ((byte >> (i & 7)) & 1) lines.push(i + 1);
  }
  return lines;
}

function deviation(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
}

/**
 * Null when the case ships no full-retraining truth. `coveredProbes` are indices into `probes`; every one must be
 * a probe the file kept a margin for, else the file belongs to another rule and the comparison would be wrong.
 */
export async function loadFullRetrainLds(caseDir: string, train: Example[], probes: Example[], coveredProbes: number[]): Promise<FullRetrainLds | null> {
  const file = path.join(caseDir, FILE);
  let parsed: FullRetrainFile;
  try {
    parsed = JSON.parse(await fs.readFile(file, 'utf8')) as FullRetrainFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PolicyTraceError(`cannot read the full-retraining truth: ${(error as Error).message}`, { file }, 'bad-fixture');
  }
  if (parsed.train_lines !== train.length) {
    throw new PolicyTraceError(`made for ${parsed.train_lines} training lines, the case has ${train.length}`, { file }, 'bad-fixture');
  }
  const position = new Map(parsed.probe_lines.map((line, k) => [line, k]));
  const columns = coveredProbes.map((index) => {
    const column = position.get(probes[index].line);
    if (column === undefined) throw new PolicyTraceError(`covered probe line ${probes[index].line} has no retrained margin`, { file }, 'bad-fixture');
    return column;
  });
  const strength = (margins: number[]) => columns.reduce((sum, c) => sum + margins[c], 0) / columns.length;
  const indexOfLine = new Map(train.map((example, i) => [example.line, i]));
  const kept = parsed.subsets.map((subset) =>
    keptLines(subset.kept, parsed.train_lines).map((line) => {
      const index = indexOfLine.get(line);
      if (index === undefined) throw new PolicyTraceError(`kept line ${line} is not a training line of the case`, { file }, 'bad-fixture');
      return index;
    }),
  );
  const actual = parsed.subsets.map((subset) => strength(subset.margins));
  const predict = (influence: Float64Array) => kept.map((rows) => rows.reduce((sum, i) => sum + influence[i], 0));
  const seedStrengths = [strength(parsed.all_lines), ...parsed.seed_noise.map((run) => strength(run.margins))];
  return {
    subsets: actual.length,
    actual,
    seedStrengths,
    noiseToSignal: deviation(seedStrengths) / Math.max(Number.MIN_VALUE, deviation(actual)),
    score: (influence) => spearman(predict(influence), actual),
    compare: (a, b) => compareLds(predict(a), predict(b), actual),
    target: `Spearman between Σ influence over ${actual.length} random 50% subsets and the policy strength after retraining every layer on each (torch, ${FILE})`,
  };
}
