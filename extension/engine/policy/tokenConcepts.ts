/**
 * Mines `contains("word")` and `contains("two words")` concepts by how much their presence tells about the
 * MODEL's decisions (information gain), not by frequency: a rare trigger word that always flips the
 * decision outranks "the". Only words and bigrams on at least `minSupport` rows are scored.
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
  scored.sort(
    (a, b) =>
      b.gain - a.gain ||
      a.phrase.split(' ').length - b.phrase.split(' ').length ||
      (a.phrase < b.phrase ? -1 : a.phrase > b.phrase ? 1 : 0),
  );
  return scored.slice(0, maxConcepts).map(({ phrase, rows }) =>
    candidateFromBits({ kind: 'contains', phrase, words: phrase.split(' ') }, bitsetFromIndices(views.length, rows)),
  );
}

/** Rows (ascending, once each) on which each word and each adjacent word pair occurs. */
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
    for (let i = 0; i + 1 < view.words.length; i++) {
      const bigram = `${view.words[i]} ${view.words[i + 1]}`;
      if (!seen.has(bigram)) {
        seen.add(bigram);
        add(bigram, row);
      }
    }
  });
  return rowsByPhrase;
}
