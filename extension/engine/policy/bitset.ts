/**
 * Fixed-size bitsets over example rows (bit i = row i), stored in Uint32Array words. Concepts, rule
 * antecedents and class masks are all bitsets so the rule learner's inner loop is word-wise AND + popcount
 * instead of per-example predicate calls: 5,000 probes are 157 words.
 */
export type Bitset = Uint32Array;

export function wordCount(size: number): number {
  return (size + 31) >>> 5;
}

export function emptyBitset(size: number): Bitset {
  return new Uint32Array(wordCount(size));
}

/** All `size` bits set; the unused high bits of the last word stay 0 so popcounts are exact. */
export function fullBitset(size: number): Bitset {
  const bits = new Uint32Array(wordCount(size));
  bits.fill(0xffffffff);
  const tail = size & 31;
  if (tail !== 0) bits[bits.length - 1] = (1 << tail) - 1;
  return bits;
}

export function setBit(bits: Bitset, index: number): void {
  bits[index >>> 5] |= 1 << (index & 31);
}

export function hasBit(bits: Bitset, index: number): boolean {
  return (bits[index >>> 5] & (1 << (index & 31))) !== 0;
}

export function bitsetFromPredicate(size: number, predicate: (index: number) => boolean): Bitset {
  const bits = emptyBitset(size);
  for (let i = 0; i < size; i++) if (predicate(i)) setBit(bits, i);
  return bits;
}

export function bitsetFromIndices(size: number, indices: Iterable<number>): Bitset {
  const bits = emptyBitset(size);
  for (const i of indices) setBit(bits, i);
  return bits;
}

/** Hamming weight of one 32-bit word (SWAR; Math.imul keeps the multiply in 32 bits). */
export function popcount32(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

export function popcount(bits: Bitset): number {
  let total = 0;
  for (let w = 0; w < bits.length; w++) total += popcount32(bits[w]);
  return total;
}

/** |a ∧ b| without allocating. */
export function countAnd(a: Bitset, b: Bitset): number {
  let total = 0;
  for (let w = 0; w < a.length; w++) total += popcount32(a[w] & b[w]);
  return total;
}

/** |a ∧ b ∧ c| without allocating. */
export function countAnd3(a: Bitset, b: Bitset, c: Bitset): number {
  let total = 0;
  for (let w = 0; w < a.length; w++) total += popcount32(a[w] & b[w] & c[w]);
  return total;
}

export function and(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & b[w];
  return out;
}

export function or(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] | b[w];
  return out;
}

/** a ∧ ¬b. */
export function andNot(a: Bitset, b: Bitset): Bitset {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & ~b[w];
  return out;
}

/** ¬a restricted to the first `size` bits. */
export function not(a: Bitset, size: number): Bitset {
  return andNot(fullBitset(size), a);
}

export function bitsetEquals(a: Bitset, b: Bitset): boolean {
  if (a.length !== b.length) return false;
  for (let w = 0; w < a.length; w++) if (a[w] !== b[w]) return false;
  return true;
}

/** Indices of the set bits, ascending. */
export function bitIndices(bits: Bitset): number[] {
  const out: number[] = [];
  for (let w = 0; w < bits.length; w++) {
    let word = bits[w];
    while (word !== 0) {
      const low = word & -word;
      out.push((w << 5) + 31 - Math.clz32(low));
      word ^= low;
    }
  }
  return out;
}

/** Bit j of the result = bit rows[j] of `bits`: re-indexes a bitset onto a subset or resample of rows. */
export function gatherBits(bits: Bitset, rows: ArrayLike<number>): Bitset {
  const out = emptyBitset(rows.length);
  for (let j = 0; j < rows.length; j++) if (hasBit(bits, rows[j])) setBit(out, j);
  return out;
}
