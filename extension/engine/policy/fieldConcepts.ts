/**
 * Concepts on structured record fields (JSON keys, CSV columns): presence (`has_field("source")`),
 * categorical values (`field("source") == "batch7"`) and numeric thresholds (`field("amount") > 100`).
 * Fields that merely repeat the example's text, gold label, id or split are skipped: a rule "label == spam
 * → spam" would be true and useless.
 */
import { bitsetFromPredicate } from './bitset';
import { candidateFromBits, type ConceptCandidate } from './concept';
import type { Expr } from './expr';
import { thresholdConcepts } from './numericConcepts';
import { asNumber, isPresent, type ExampleView } from './textFeatures';

/** Most distinct values a text field may have to be offered as `field(...) == value` concepts. */
const MAX_CATEGORIES = 20;
/** Share of present values that must parse as numbers for a field to be treated as numeric. */
const NUMERIC_SHARE = 0.9;

export function fieldConcepts(views: readonly ExampleView[], minSupport: number, excludeFields: readonly string[]): ConceptCandidate[] {
  const out: ConceptCandidate[] = [];
  for (const field of fieldNames(views)) {
    if (excludeFields.includes(field) || repeatsExampleAttribute(views, field)) continue;
    const values = views.map((view) => view.example.record[field]);
    const present = values.map(isPresent);
    const presentCount = present.filter(Boolean).length;
    if (presentCount >= minSupport && presentCount <= views.length - minSupport) {
      out.push(candidateFromBits({ kind: 'hasField', field }, bitsetFromPredicate(views.length, (i) => present[i])));
    }
    const numbers = values.map((value) => (isPresent(value) ? asNumber(value) : undefined));
    const numericCount = numbers.filter((n) => n !== undefined).length;
    if (presentCount > 0 && numericCount >= NUMERIC_SHARE * presentCount) {
      const asFloats = Float64Array.from(numbers, (n) => n ?? Number.NaN);
      out.push(...thresholdConcepts(asFloats, false, (op, value): Expr => ({ kind: 'fieldCompare', field, op, value }), minSupport));
    } else {
      out.push(...categoryConcepts(field, values, minSupport));
    }
  }
  return out;
}

function categoryConcepts(field: string, values: unknown[], minSupport: number): ConceptCandidate[] {
  const texts = values.map((value) =>
    isPresent(value) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      ? String(value)
      : undefined,
  );
  const distinct = [...new Set(texts.filter((t): t is string => t !== undefined))].sort();
  if (distinct.length === 0 || distinct.length > MAX_CATEGORIES) return [];
  const out: ConceptCandidate[] = [];
  for (const category of distinct) {
    const bits = bitsetFromPredicate(values.length, (i) => texts[i] === category);
    const candidate = candidateFromBits({ kind: 'fieldCompare', field, op: '==', value: category }, bits);
    if (candidate.support >= minSupport && candidate.support < values.length) out.push(candidate);
  }
  return out;
}

/** Top-level keys of the records, in first-seen order. */
function fieldNames(views: readonly ExampleView[]): string[] {
  const names = new Set<string>();
  for (const view of views) for (const key of Object.keys(view.example.record)) names.add(key);
  return [...names];
}

/** True when the field equals the example's text, label, id or split on (nearly) every row that has it. */
function repeatsExampleAttribute(views: readonly ExampleView[], field: string): boolean {
  let present = 0;
  let repeats = 0;
  for (const { example } of views) {
    const value = example.record[field];
    if (!isPresent(value)) continue;
    present++;
    const text = String(value);
    if (text === example.text || text === example.label || text === example.id || text === example.split) repeats++;
  }
  return present > 0 && repeats >= 0.9 * present;
}
