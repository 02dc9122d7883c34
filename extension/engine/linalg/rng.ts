/**
 * A small seeded random source so every attribution, projection and verification run is reproducible:
 * the same seed gives the same random lines, the same projection and the same report.
 */
export class SeededRandom {
  private state: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    // Mix the seed so that nearby seeds (0, 1, 2...) give unrelated streams.
    this.state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ 0x6d2b79f5) >>> 0;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** k distinct items from `pool` (partial Fisher–Yates on a copy). */
  sample(pool: ArrayLike<number>, k: number): number[] {
    const items = Array.from(pool);
    const take = Math.min(k, items.length);
    for (let i = 0; i < take; i++) {
      const j = i + this.int(items.length - i);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items.slice(0, take);
  }
}
