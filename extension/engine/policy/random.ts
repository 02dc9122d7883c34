/**
 * Seeded randomness for everything the policy engine draws (held-out split, bootstrap resamples,
 * counterfactual insert positions), so the same seed always gives the same rules and numbers.
 */
import { seededRandom as sharedSeededRandom } from '../util/seededRandom';

export type Random = () => number;

/** mulberry32 (shared with the rest of the engine). */
export function seededRandom(seed: number): Random {
  return sharedSeededRandom(seed);
}

export function randomInt(random: Random, exclusiveMax: number): number {
  return Math.floor(random() * exclusiveMax);
}

/** Fisher–Yates shuffle of 0..n-1. */
export function shuffledIndices(n: number, random: Random): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const tmp = out[i];
    out[i] = out[j];
    out[j] = tmp;
  }
  return out;
}

/** Up to `k` distinct items of `items`, in a seeded random order. */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, random: Random): T[] {
  if (items.length <= k) return items.slice();
  return shuffledIndices(items.length, random)
    .slice(0, k)
    .map((i) => items[i]);
}

/** n draws with replacement from `rows` (a bootstrap resample). */
export function resampleWithReplacement(rows: readonly number[], random: Random): Int32Array {
  const out = new Int32Array(rows.length);
  for (let j = 0; j < rows.length; j++) out[j] = rows[randomInt(random, rows.length)];
  return out;
}
