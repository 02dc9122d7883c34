/**
 * Learns an ordered rule list (decision list) that mimics the model's decisions, by sequential covering:
 * find the best conjunction of ≤ maxConditions concepts by beam search on the rows no earlier rule covers,
 * append it, remove the rows it covers, repeat; rows no rule covers get the default action.
 *
 * Ranking: FOIL-style gain k · (log laplace(k, n) − log p0), where k of the n covered rows take the rule's
 * action and p0 is that action's share of the uncovered rows — it rewards rules that are both precise and
 * broad, and Laplace correction keeps tiny rules from looking perfect. Each condition costs log(#concepts)
 * nats (the bits needed to name it, as in MDL), so a condition that only trims a few noisy rows
 * (`contains("free") and upper_ratio <= 0.2`) does not beat the plain rule.
 * Acceptance: n ≥ minSupport, k/n ≥ minPrecision, and the Wilson lower bound of k/n at a Bonferroni-
 * corrected z (α split over every conjunction the beam search can score for this rule) above p0. The
 * correction is what keeps a search over thousands of conjunctions from "finding" rules in random decisions.
 * Finally, rules whose action equals the default and whose removal does not lower agreement on the fit rows
 * are dropped: they only restate the default.
 */
import { and, andNot, bitsetFromPredicate, countAnd, countAnd3, fullBitset, popcount, type Bitset } from './bitset';
import type { ConceptCandidate } from './concept';
import { normalQuantile, wilsonLowerBound } from './statistics';

export interface LearnerOptions {
  maxRules: number;
  maxConditions: number;
  beamWidth: number;
  minSupport: number;
  minPrecision: number;
  alpha: number;
}

export interface LearnedRule {
  /** Indices into the concept pool, in the order the search added them. */
  conditions: number[];
  action: number;
  /** Fit rows covered when the rule was learned (rows not taken by earlier rules) and how many took `action`. */
  covered: number;
  correct: number;
}

export interface DecisionList {
  rules: LearnedRule[];
  defaultAction: number;
}

interface BeamEntry {
  conditions: number[];
  /** `conditions` ascending, for the conjunction key. */
  sorted: number[];
  /** Uncovered rows where all conditions hold. */
  bits: Bitset;
  count: number;
}

interface ScoredConjunction {
  conditions: number[];
  /** The sorted condition indices as one number (base concepts+1), for dedupe and deterministic ties. */
  key: number;
  parent: Bitset;
  covered: number;
  correct: number;
  action: number;
  score: number;
}

export function learnDecisionList(
  concepts: readonly ConceptCandidate[],
  decisions: ArrayLike<number>,
  classCount: number,
  options: LearnerOptions,
): DecisionList {
  const rowCount = decisions.length;
  const classMasks = Array.from({ length: classCount }, (_, c) => bitsetFromPredicate(rowCount, (i) => decisions[i] === c));
  let remaining = fullBitset(rowCount);
  const rules: LearnedRule[] = [];
  while (rules.length < options.maxRules) {
    const rule = findBestRule(concepts, remaining, classMasks, options);
    if (!rule) break;
    rules.push(rule);
    remaining = andNot(remaining, conjunctionBits(concepts, rule.conditions, rowCount));
  }
  const defaultAction = majorityClass(popcount(remaining) > 0 ? remaining : fullBitset(rowCount), classMasks);
  return { rules: pruneDefaultRestatements(rules, defaultAction, concepts, classMasks, rowCount), defaultAction };
}

export function conjunctionBits(concepts: readonly ConceptCandidate[], conditions: readonly number[], rowCount: number): Bitset {
  let bits = fullBitset(rowCount);
  for (const index of conditions) bits = and(bits, concepts[index].bits);
  return bits;
}

function majorityClass(rows: Bitset, classMasks: readonly Bitset[]): number {
  let best = 0;
  let bestCount = -1;
  classMasks.forEach((mask, c) => {
    const count = countAnd(rows, mask);
    if (count > bestCount) {
      best = c;
      bestCount = count;
    }
  });
  return best;
}

/**
 * Rules for the DEFAULT action, which the decision list itself never states (a default-action rule that
 * changes no decision is pruned). "Short inputs lean negative" is such a policy when negative is the
 * majority. Each must pass the same support, precision and significance gates against the default's base
 * rate; found greedily on rows the previous ones did not cover.
 */
export function learnDefaultActionRules(
  concepts: readonly ConceptCandidate[],
  decisions: ArrayLike<number>,
  classCount: number,
  defaultAction: number,
  options: LearnerOptions,
  maxRules = 1,
): LearnedRule[] {
  const rowCount = decisions.length;
  const classMasks = Array.from({ length: classCount }, (_, c) => bitsetFromPredicate(rowCount, (i) => decisions[i] === c));
  const rules: LearnedRule[] = [];
  let remaining = fullBitset(rowCount);
  while (rules.length < maxRules) {
    const rule = findBestRule(concepts, remaining, classMasks, options, defaultAction);
    if (!rule) break;
    rules.push(rule);
    remaining = andNot(remaining, conjunctionBits(concepts, rule.conditions, rowCount));
  }
  return rules;
}

function findBestRule(
  concepts: readonly ConceptCandidate[],
  remaining: Bitset,
  classMasks: readonly Bitset[],
  options: LearnerOptions,
  /** Accept only rules for this action (used to describe the default action). */
  onlyAction?: number,
): LearnedRule | undefined {
  const remainingCount = popcount(remaining);
  if (remainingCount < options.minSupport) return undefined;
  const baseRates = classMasks.map((mask) => countAnd(remaining, mask) / remainingCount);
  // Bonferroni over every conjunction the beam search can score (known before searching, so each
  // candidate is accepted or not on the spot and nothing has to be stored).
  const searchable = concepts.length * (1 + options.beamWidth * (options.maxConditions - 1));
  const z = normalQuantile(1 - options.alpha / Math.max(1, searchable));
  const accepts = (c: ScoredConjunction) =>
    (onlyAction === undefined || c.action === onlyAction) &&
    c.correct / c.covered >= options.minPrecision && wilsonLowerBound(c.correct, c.covered, z) > baseRates[c.action];

  const conditionCost = Math.log(Math.max(2, concepts.length));
  let best: ScoredConjunction | undefined;
  const seen = new Set<number>();
  const scratch: ScoredConjunction = { conditions: [], key: 0, parent: remaining, covered: 0, correct: 0, action: 0, score: 0 };
  let beam: BeamEntry[] = [{ conditions: [], sorted: [], bits: remaining, count: remainingCount }];
  for (let depth = 1; depth <= options.maxConditions && beam.length > 0; depth++) {
    const top: ScoredConjunction[] = [];
    for (const entry of beam) {
      for (let j = 0; j < concepts.length; j++) {
        if (entry.conditions.includes(j)) continue;
        const covered = countAnd(entry.bits, concepts[j].bits);
        if (covered < options.minSupport || covered === entry.count) continue;
        const key = conjunctionKey(entry.sorted, j, concepts.length);
        if (depth > 1) {
          if (seen.has(key)) continue;
          seen.add(key);
        }
        // Scored in a scratch object: only the few candidates that enter the beam or beat the best are kept.
        scoreConjunction(scratch, key, entry.bits, concepts[j].bits, covered, classMasks, baseRates);
        scratch.score -= depth * conditionCost;
        const betterThanBest = (!best || byScore(scratch, best) < 0) && accepts(scratch);
        const entersBeam = top.length < options.beamWidth || byScore(scratch, top[top.length - 1]) < 0;
        if (!betterThanBest && !entersBeam) continue;
        const candidate = { ...scratch, conditions: [...entry.conditions, j], parent: entry.bits };
        if (betterThanBest) best = candidate;
        if (entersBeam) keepTop(top, candidate, options.beamWidth);
      }
    }
    beam = top.map((c) => ({
      conditions: c.conditions,
      sorted: [...c.conditions].sort((a, b) => a - b),
      bits: and(c.parent, concepts[c.conditions[c.conditions.length - 1]].bits),
      count: c.covered,
    }));
  }
  return best && { conditions: best.conditions, action: best.action, covered: best.covered, correct: best.correct };
}

/** Inserts into a best-first list capped at `width` entries. */
function keepTop(top: ScoredConjunction[], candidate: ScoredConjunction, width: number): void {
  if (top.length === width && byScore(candidate, top[width - 1]) >= 0) return;
  let at = top.length;
  while (at > 0 && byScore(candidate, top[at - 1]) < 0) at--;
  top.splice(at, 0, candidate);
  if (top.length > width) top.pop();
}

function scoreConjunction(
  out: ScoredConjunction,
  key: number,
  parent: Bitset,
  conceptBits: Bitset,
  covered: number,
  classMasks: readonly Bitset[],
  baseRates: readonly number[],
): void {
  let action = 0;
  let correct = -1;
  let counted = 0;
  const last = classMasks.length - 1;
  for (let c = 0; c < last; c++) {
    const k = countAnd3(parent, conceptBits, classMasks[c]);
    counted += k;
    if (k > correct) {
      action = c;
      correct = k;
    }
  }
  if (covered - counted > correct) {
    action = last;
    correct = covered - counted;
  }
  const laplace = (correct + 1) / (covered + classMasks.length);
  out.key = key;
  out.covered = covered;
  out.correct = correct;
  out.action = action;
  out.score = correct * (Math.log(laplace) - Math.log(baseRates[action]));
}

/**
 * The set {sorted..., extra} as one number: sorted indices in base (conceptCount + 1). Exact while
 * (conceptCount + 1)^conditions < 2^53, e.g. 3 conditions over 100,000 concepts.
 */
function conjunctionKey(sorted: readonly number[], extra: number, conceptCount: number): number {
  const base = conceptCount + 1;
  let key = 0;
  let placed = false;
  for (const index of sorted) {
    if (!placed && extra < index) {
      key = key * base + extra + 1;
      placed = true;
    }
    key = key * base + index + 1;
  }
  return placed ? key : key * base + extra + 1;
}

/** Higher score first; ties by the concept indices so the search is deterministic. */
function byScore(a: ScoredConjunction, b: ScoredConjunction): number {
  return b.score - a.score || a.key - b.key;
}

function pruneDefaultRestatements(
  rules: LearnedRule[],
  defaultAction: number,
  concepts: readonly ConceptCandidate[],
  classMasks: readonly Bitset[],
  rowCount: number,
): LearnedRule[] {
  let kept = rules.slice();
  for (let i = kept.length - 1; i >= 0; i--) {
    if (kept[i].action !== defaultAction) continue;
    const without = kept.filter((_, j) => j !== i);
    if (listAgreement(without, defaultAction, concepts, classMasks, rowCount) >= listAgreement(kept, defaultAction, concepts, classMasks, rowCount)) {
      kept = without;
    }
  }
  return kept;
}

/** Rows where the decision list's prediction equals the model's decision. */
function listAgreement(
  rules: readonly LearnedRule[],
  defaultAction: number,
  concepts: readonly ConceptCandidate[],
  classMasks: readonly Bitset[],
  rowCount: number,
): number {
  let uncaptured = fullBitset(rowCount);
  let agree = 0;
  for (const rule of rules) {
    const captured = and(uncaptured, conjunctionBits(concepts, rule.conditions, rowCount));
    agree += countAnd(captured, classMasks[rule.action]);
    uncaptured = andNot(uncaptured, captured);
  }
  return agree + countAnd(uncaptured, classMasks[defaultAction]);
}
