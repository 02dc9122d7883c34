/** Seeded Gaussian draws and seeds per layer: projections and probe inputs must be reproducible. */
import { seededRandom } from '../util/seededRandom';

export { seededRandom };
/** Standard normal draws (Box–Muller). */
export function gaussianArray(count: number, seed: number): Float64Array {
  const uniform = seededRandom(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}

/** A stable 32-bit hash of a string (FNV-1a), to derive per-layer seeds from one user seed. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
