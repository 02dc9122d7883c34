/**
 * What a predicate sees of one example: its normalized words (for contains), its text (for counts,
 * lengths and regexes) and its parsed record (for fields). Words are the featurizer's tokens, lower-cased,
 * with surrounding punctuation stripped, so `contains("free")` also matches the whitespace token "free!".
 */
import type { Example } from '../data/example';

const EDGE_NON_WORD = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;

export function normalizeWord(token: string): string {
  return token.toLowerCase().replace(EDGE_NON_WORD, '');
}

/** Normalized, non-empty words of a token list (or of a phrase split on whitespace). */
export function normalizeWords(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    // A token may itself hold spaces (e.g. a multi-word vocabulary entry): phrases match word by word.
    for (const piece of token.split(/\s+/u)) {
      const word = normalizeWord(piece);
      if (word) out.push(word);
    }
  }
  return out;
}

export function phraseWords(phrase: string): string[] {
  return normalizeWords([phrase]);
}

export interface ExampleView {
  example: Example;
  words: string[];
  wordSet: Set<string>;
}

export function viewOf(example: Example, tokens: readonly string[]): ExampleView {
  const words = normalizeWords(tokens);
  return { example, words, wordSet: new Set(words) };
}

/** True when `phrase` (already normalized words) occurs as consecutive words. */
export function containsPhrase(view: ExampleView, phrase: readonly string[]): boolean {
  if (phrase.length === 0) return false;
  if (!view.wordSet.has(phrase[0])) return false;
  if (phrase.length === 1) return true;
  const { words } = view;
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

/** Numeric text features usable in `feature OP number` conditions. */
export type TextFeature =
  | { kind: 'len_tokens' }
  | { kind: 'len_chars' }
  | { kind: 'digits' }
  | { kind: 'upper_ratio' }
  | { kind: 'count'; needle: string };

export const PLAIN_TEXT_FEATURES = ['len_tokens', 'len_chars', 'digits', 'upper_ratio'] as const;

export function textFeatureValue(feature: TextFeature, view: ExampleView): number {
  const text = view.example.text;
  switch (feature.kind) {
    case 'len_tokens':
      return view.words.length;
    case 'len_chars':
      return text.length;
    case 'digits':
      return countDigits(text);
    case 'upper_ratio':
      return upperRatio(text);
    case 'count':
      return countOccurrences(text, feature.needle);
  }
}

function countDigits(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

/** Upper-case letters / all cased letters (0 when the text has none). */
function upperRatio(text: string): number {
  let upper = 0;
  let cased = 0;
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const upperCh = ch.toUpperCase();
    if (lower === upperCh) continue;
    cased++;
    if (ch !== lower) upper++;
  }
  return cased === 0 ? 0 : upper / cased;
}

/** Non-overlapping, case-sensitive occurrences of `needle`. */
export function countOccurrences(text: string, needle: string): number {
  if (!needle) return 0;
  let n = 0;
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at < 0) return n;
    n++;
    from = at + needle.length;
  }
}

export function formatTextFeature(feature: TextFeature): string {
  return feature.kind === 'count' ? `count(${JSON.stringify(feature.needle)})` : feature.kind;
}

/** A record field by exact key, else by dotted path (`user.name`). */
export function fieldValue(record: Record<string, unknown>, field: string): unknown {
  if (Object.prototype.hasOwnProperty.call(record, field)) return record[field];
  if (!field.includes('.')) return undefined;
  let node: unknown = record;
  for (const part of field.split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A finite number from a number or a numeric string, else undefined. */
export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}
