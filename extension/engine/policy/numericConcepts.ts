/**
 * Threshold concepts on numeric text features (`len_tokens <= 4`, `count("!") >= 2`, `upper_ratio > 0.3`)
 * and on numeric record fields (`field("amount") > 100`). Cut points are the feature's quantiles on the fit
 * rows (every distinct value when there are few), plus small counts (1, 2, 3, 5) for count features.
 */
import { bitsetFromPredicate } from './bitset';
import { candidateFromBits, type ConceptCandidate } from './concept';
import { compareNumbers, type ComparisonOp, type Expr } from './expr';
import { textFeatureValue, type ExampleView, type TextFeature } from './textFeatures';

/** Characters whose counts are offered as concepts (each only if it occurs at all). */
export const COUNTED_CHARACTERS = ['!', '?', '$', '%', '@', '#', '&', '*'];
const SMALL_COUNTS = [1, 2, 3, 5];
/** Up to this many distinct values, each is a cut point; above it, the 5%, 10%, ..., 95% quantiles are. */
const MAX_EXACT_CUTS = 20;
const QUANTILE_STEPS = 20;

export function textFeatureConcepts(views: readonly ExampleView[], minSupport: number): ConceptCandidate[] {
  const features: { feature: TextFeature; integerCount: boolean }[] = [
    { feature: { kind: 'len_tokens' }, integerCount: false },
    { feature: { kind: 'len_chars' }, integerCount: false },
    { feature: { kind: 'digits' }, integerCount: true },
    { feature: { kind: 'upper_ratio' }, integerCount: false },
    ...COUNTED_CHARACTERS.map((needle) => ({ feature: { kind: 'count', needle } as TextFeature, integerCount: true })),
  ];
  const out: ConceptCandidate[] = [];
  for (const { feature, integerCount } of features) {
    const values = Float64Array.from(views, (view) => textFeatureValue(feature, view));
    const makeExpr = (op: ComparisonOp, value: number): Expr => ({ kind: 'compare', feature, op, value });
    out.push(...thresholdConcepts(values, integerCount, makeExpr, minSupport, feature.kind === 'upper_ratio' ? 2 : 0));
  }
  return out;
}

/**
 * Both sides of each cut: `<= t` / `> t` for lengths and ratios, `>= t` / `< t` for counts (reads as
 * "at least t"). Rows whose value is NaN (a missing numeric field) fall on neither side.
 */
export function thresholdConcepts(
  values: Float64Array,
  integerCount: boolean,
  makeExpr: (op: ComparisonOp, value: number) => Expr,
  minSupport: number,
  decimals = 0,
): ConceptCandidate[] {
  const present = Array.from(values).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (present.length === 0) return [];
  const cuts = new Set<number>();
  const distinct = [...new Set(present.map((v) => roundTo(v, decimals)))];
  if (distinct.length <= MAX_EXACT_CUTS) {
    // Few distinct values (word counts of short texts): every value is a cut, so `len_tokens <= 4` is exact.
    for (const value of distinct) cuts.add(value);
  } else {
    for (let q = 1; q < QUANTILE_STEPS; q++) cuts.add(roundTo(present[Math.floor((q / QUANTILE_STEPS) * (present.length - 1))], decimals));
  }
  if (integerCount) for (const small of SMALL_COUNTS) cuts.add(small - 1);
  const out: ConceptCandidate[] = [];
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    const sides: [ComparisonOp, number][] = integerCount
      ? [['>=', cut + 1], ['<', cut + 1]]
      : [['<=', cut], ['>', cut]];
    for (const [op, threshold] of sides) {
      const bits = bitsetFromPredicate(values.length, (i) => !Number.isNaN(values[i]) && compareNumbers(values[i], op, threshold));
      const candidate = candidateFromBits(makeExpr(op, threshold), bits);
      if (candidate.support >= minSupport && candidate.support < values.length) out.push(candidate);
    }
  }
  return out;
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
