/**
 * Text edits for counterfactual checks: insert a phrase at a random word boundary, or remove every
 * occurrence of it. Both work on whitespace-separated words normalized like concept words (lower-case,
 * surrounding punctuation stripped), so removing "free" also removes the word "FREE!".
 */
import { randomInt, type Random } from './random';
import { normalizeWord } from './textFeatures';

/**
 * Slots considered for an insertion: the first few word boundaries only. Models keep the first N tokens of
 * an input (the SMS model keeps 100, the planted models 32), so a phrase inserted deep into a long text
 * would often be cut off before the model sees it and the check would under-count flips.
 */
export const INSERTION_SLOTS = 8;

/** Inserts `phrase` before one of the first words (or at the end of a short text), keeping the text's own separators. */
export function insertPhrase(text: string, phrase: string, random: Random): string {
  const starts = [...text.matchAll(/\S+/gu)].map((match) => match.index ?? 0);
  const slot = randomInt(random, Math.min(starts.length + 1, INSERTION_SLOTS));
  if (slot === starts.length) {
    if (text === '') return phrase;
    return /\s$/u.test(text) ? `${text}${phrase}` : `${text} ${phrase}`;
  }
  const at = starts[slot];
  return `${text.slice(0, at)}${phrase} ${text.slice(at)}`;
}

/** Removes each run of words equal to `words` (normalized), with the whitespace after it. */
export function removePhrase(text: string, words: readonly string[]): string {
  const pieces = [...text.matchAll(/\S+/gu)]
    .map((match) => ({ word: normalizeWord(match[0]), start: match.index ?? 0, end: (match.index ?? 0) + match[0].length }))
    .filter((piece) => piece.word !== '');
  const cuts: { start: number; end: number }[] = [];
  for (let i = 0; i + words.length <= pieces.length; i++) {
    if (!words.every((word, j) => pieces[i + j].word === word)) continue;
    cuts.push({ start: pieces[i].start, end: pieces[i + words.length - 1].end });
    i += words.length - 1;
  }
  let out = text;
  for (let c = cuts.length - 1; c >= 0; c--) {
    const { start } = cuts[c];
    let { end } = cuts[c];
    while (end < out.length && /\s/u.test(out[end])) end++;
    out = out.slice(0, start) + out.slice(end);
  }
  return out;
}
