/**
 * Mines `contains("word")` and `contains("two words")` concepts by how much their presence tells about the
 * MODEL's decisions (information gain), not by frequency: a rare trigger word that always flips the
 * decision outranks "the". Words, bigrams and trigrams on at least `minSupport` rows are scored; phrases that
 * occur on exactly the same rows collapse to the longest one, because on this data they are the same
 * predicate and the longer phrase says more to a reader ("you are right" rather than "are").
 */
import { bitsetFromIndices } from './bitset';
import { candidateFromBits, informationGain, type ConceptCandidate } from './concept';
import type { ExampleView } from './textFeatures';

export interface TokenMiningInput {
  views: readonly ExampleView[];
  decisions: ArrayLike<number>;
  classCount: number;
  minSupport: number;
  maxConcepts: number;
}

export function mineTokenConcepts(input: TokenMiningInput): ConceptCandidate[] {
  const { views, decisions, classCount, minSupport, maxConcepts } = input;
  const rowsByPhrase = collectPhraseRows(views);
  const totalCounts = new Float64Array(classCount);
  for (let i = 0; i < views.length; i++) totalCounts[decisions[i]]++;

  const scored: { phrase: string; rows: number[]; gain: number }[] = [];
  const inCounts = new Float64Array(classCount);
  for (const [phrase, rows] of rowsByPhrase) {
    if (rows.length < minSupport || rows.length === views.length) continue;
    inCounts.fill(0);
    for (const row of rows) inCounts[decisions[row]]++;
    scored.push({ phrase, rows, gain: informationGain(inCounts, totalCounts, views.length) });
  }
  // Ties (common in small probe sets) break by fewer words, then alphabetically, so mining is deterministic.
  const distinct = keepMostSpecific(scored);
  distinct.sort(
    (a, b) =>
      b.gain - a.gain ||
      a.phrase.split(' ').length - b.phrase.split(' ').length ||
      (a.phrase < b.phrase ? -1 : a.phrase > b.phrase ? 1 : 0),
  );
  return distinct.slice(0, maxConcepts).map(({ phrase, rows }) =>
    candidateFromBits({ kind: 'contains', phrase, words: phrase.split(' ') }, bitsetFromIndices(views.length, rows)),
  );
}

/** One phrase per distinct row set: the one with the most words (alphabetically first among equals). */
function keepMostSpecific<T extends { phrase: string; rows: number[] }>(scored: T[]): T[] {
  const byRows = new Map<string, T>();
  for (const entry of scored) {
    const key = entry.rows.join(',');
    const kept = byRows.get(key);
    const words = entry.phrase.split(' ').length;
    if (!kept) byRows.set(key, entry);
    else {
      const keptWords = kept.phrase.split(' ').length;
      if (words > keptWords || (words === keptWords && entry.phrase < kept.phrase)) byRows.set(key, entry);
    }
  }
  return [...byRows.values()];
}

const MAX_PHRASE_WORDS = 3;

/** Rows (ascending, once each) on which each word and each run of two or three adjacent words occurs. */
function collectPhraseRows(views: readonly ExampleView[]): Map<string, number[]> {
  const rowsByPhrase = new Map<string, number[]>();
  const add = (phrase: string, row: number) => {
    const rows = rowsByPhrase.get(phrase);
    if (!rows) rowsByPhrase.set(phrase, [row]);
    else if (rows[rows.length - 1] !== row) rows.push(row);
  };
  views.forEach((view, row) => {
    for (const word of view.wordSet) add(word, row);
    const seen = new Set<string>();
    for (let length = 2; length <= MAX_PHRASE_WORDS; length++) {
      for (let i = 0; i + length <= view.words.length; i++) {
        const phrase = view.words.slice(i, i + length).join(' ');
        if (!seen.has(phrase)) {
          seen.add(phrase);
          add(phrase, row);
        }
      }
    }
  });
  return rowsByPhrase;
}
