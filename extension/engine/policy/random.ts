/**
 * Seeded randomness for everything the policy engine draws (held-out split, bootstrap resamples,
 * counterfactual insert positions), so the same seed always gives the same rules and numbers.
 */
export type Random = () => number;

/** mulberry32: small, fast, good enough statistical quality for splits and resampling. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
