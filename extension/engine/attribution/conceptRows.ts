/**
 * The embedding rows a rule's words live in: the vocabulary rows of the words its `contains("…")` conditions
 * name, in the model's input embedding (a Gather whose table is an initializer and whose indices are a graph
 * input, directly or through a Cast). Influence through exactly those rows answers "which lines taught the
 * model what these words mean" — only lines that contain the words have any gradient there.
 */
import type { Featurizer } from '../featurize/featurizer';
import type { ModelProto } from '../model/onnxProto';
import type { Example } from '../data/example';

export interface ConceptRows {
  param: string;
  width: number;
  rows: number[];
  words: string[];
}

/** Words of the rule's positive contains(...) conditions, in order, without repeats. */
export function ruleWords(conditions: string[]): string[] {
  const words: string[] = [];
  for (const condition of conditions) {
    if (/^\s*not\b/.test(condition)) continue;
    for (const match of condition.matchAll(/contains\("((?:[^"\\]|\\.)*)"\)/g)) {
      for (const word of JSON.parse(`"${match[1]}"`).toLowerCase().split(/\s+/)) if (word && !words.includes(word)) words.push(word);
    }
  }
  return words;
}

export function findConceptRows(model: ModelProto, featurizer: Featurizer, words: string[]): ConceptRows | undefined {
  if (words.length === 0) return undefined;
  const graph = model.graph;
  const inputs = new Set((graph?.input ?? []).map((i) => i.name));
  const initializers = new Map((graph?.initializer ?? []).map((t) => [t.name, t]));
  const casts = new Map((graph?.node ?? []).filter((n) => n.opType === 'Cast').map((n) => [n.output?.[0], n.input?.[0]]));
  const fromInput = (name: string | undefined): string | undefined => (name && inputs.has(name) ? name : name && casts.has(name) ? fromInput(casts.get(name)) : undefined);
  for (const node of graph?.node ?? []) {
    if (node.opType !== 'Gather') continue;
    const table = initializers.get(node.input?.[0] ?? '');
    const input = fromInput(node.input?.[1]);
    if (!table || !input || table.dims?.length !== 2) continue;
    const rows = tokenIds(featurizer, input, words);
    if (rows.length === 0) return undefined;
    return { param: table.name!, width: Number(table.dims[1]), rows, words };
  }
  return undefined;
}

/** The ids the featurizer gives the words, minus those it gives an empty text (padding, special tokens). */
function tokenIds(featurizer: Featurizer, input: string, words: string[]): number[] {
  const ids = (text: string): Set<number> => {
    const example = { id: 'concept', file: '', line: 0, endLine: 0, byteOffset: 0, byteLength: 0, text, record: {} } as Example;
    const feed = featurizer.encode([example])[input];
    return new Set(feed && !Array.isArray(feed.data) ? Array.from(feed.data as ArrayLike<number | bigint>, Number) : []);
  };
  const background = ids('');
  return [...ids(words.join(' '))].filter((id) => !background.has(id)).sort((a, b) => a - b);
}
