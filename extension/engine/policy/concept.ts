/**
 * A candidate condition for the rule learner: a predicate (printed in hypothesis syntax) and the rows it
 * holds on, as a bitset over the rows it was evaluated on.
 */
import { bitsetEquals, bitsetFromPredicate, popcount, type Bitset } from './bitset';
import { evaluateExpr, formatExpr, type Expr } from './expr';
import type { ExampleView } from './textFeatures';

export interface ConceptCandidate {
  expr: Expr;
  /** formatExpr(expr): the concept's readable name and its identity. */
  name: string;
  bits: Bitset;
  support: number;
}

export function candidateFromBits(expr: Expr, bits: Bitset): ConceptCandidate {
  return { expr, name: formatExpr(expr), bits, support: popcount(bits) };
}

export function evaluateCandidate(expr: Expr, views: readonly ExampleView[]): ConceptCandidate {
  return candidateFromBits(
    expr,
    bitsetFromPredicate(views.length, (i) => evaluateExpr(expr, views[i])),
  );
}

/** Drops later candidates that hold on exactly the same rows as an earlier one (the earlier is simpler). */
export function dropDuplicateCoverage(candidates: readonly ConceptCandidate[]): ConceptCandidate[] {
  const byHash = new Map<number, ConceptCandidate[]>();
  const kept: ConceptCandidate[] = [];
  for (const candidate of candidates) {
    const key = hashBits(candidate.bits);
    const bucket = byHash.get(key) ?? [];
    if (bucket.some((other) => bitsetEquals(other.bits, candidate.bits))) continue;
    bucket.push(candidate);
    byHash.set(key, bucket);
    kept.push(candidate);
  }
  return kept;
}

function hashBits(bits: Bitset): number {
  let h = 0x811c9dc5;
  for (let w = 0; w < bits.length; w++) h = Math.imul(h ^ bits[w], 0x01000193);
  return h >>> 0;
}

/** Shannon entropy (nats) of a class-count vector. */
export function entropy(counts: ArrayLike<number>, total: number): number {
  if (total <= 0) return 0;
  let h = 0;
  for (let c = 0; c < counts.length; c++) {
    if (counts[c] > 0) {
      const p = counts[c] / total;
      h -= p * Math.log(p);
    }
  }
  return h;
}

/**
 * Information a presence/absence split carries about the model's decisions:
 * H(D) − [P(in) H(D | in) + P(out) H(D | out)].
 */
export function informationGain(inCounts: ArrayLike<number>, totalCounts: ArrayLike<number>, total: number): number {
  const outCounts = new Float64Array(totalCounts.length);
  let inTotal = 0;
  for (let c = 0; c < totalCounts.length; c++) {
    inTotal += inCounts[c];
    outCounts[c] = totalCounts[c] - inCounts[c];
  }
  const outTotal = total - inTotal;
  return (
    entropy(totalCounts, total) -
    (inTotal / total) * entropy(inCounts, inTotal) -
    (outTotal / total) * entropy(outCounts, outTotal)
  );
}
