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
  /** The rule's words the vocabulary knows (their rows are `rows`). */
  words: string[];
  /** The rule's words the featurizer encodes as the unknown token: no row of their own to attribute through. */
  missing: string[];
  /** The graph input whose ids index the table. */
  input: string;
  /** True when that Gather is the table's only reader: then only lines whose ids include a row have a gradient there. */
  onlyGathered: boolean;
}

/** Why a rule has no concept rows, in a sentence for the report. */
export interface NoConceptRows {
  reason: string;
}

/** A string no vocabulary holds: what the featurizer gives it is the unknown token (or nothing). */
const UNKNOWN_PROBE = 'zqxjzqxj';

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

export function findConceptRows(model: ModelProto, featurizer: Featurizer, words: string[]): ConceptRows | NoConceptRows {
  if (words.length === 0) return { reason: 'the rule names no word (no positive contains("…") condition), so there are no embedding rows to attribute through' };
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
    const ignored = new Set([...tokenIds(featurizer, input, ''), ...tokenIds(featurizer, input, UNKNOWN_PROBE)]);
    const known = words.filter((word) => tokenIds(featurizer, input, word).some((id) => !ignored.has(id)));
    const missing = words.filter((word) => !known.includes(word));
    const quoted = (list: string[]) => list.map((w) => JSON.stringify(w)).join(', ');
    if (known.length === 0) {
      return { reason: `the model's vocabulary has none of the rule's words (${quoted(missing)} encode as the unknown token), so no embedding row holds what they mean` };
    }
    const rows = [...new Set(known.flatMap((word) => tokenIds(featurizer, input, word)))].filter((id) => !ignored.has(id)).sort((a, b) => a - b);
    const readers = (graph?.node ?? []).filter((n) => (n.input ?? []).includes(table.name!)).length;
    return { param: table.name!, width: Number(table.dims[1]), rows, words: known, missing, input, onlyGathered: readers === 1 };
  }
  return { reason: 'the model has no input embedding table (a Gather of an initializer by a graph input), so the words have no rows to attribute through' };
}

/** The distinct ids the featurizer gives a text (the caller removes padding, special and unknown tokens). */
function tokenIds(featurizer: Featurizer, input: string, text: string): number[] {
  const example = { id: 'concept', file: '', line: 0, endLine: 0, byteOffset: 0, byteLength: 0, text, record: {} } as Example;
  const feed = featurizer.encode([example])[input];
  return [...new Set(feed && !Array.isArray(feed.data) ? Array.from(feed.data as ArrayLike<number | bigint>, Number) : [])];
}

/**
 * The training lines whose encoded ids include one of the concept's rows: every other line's gradient on those
 * rows is exactly zero when the Gather is the table's only reader. Null when it is not (a tied output layer
 * reads the table too), and every line has to be scored.
 */
export function linesReadingRows(featurizer: Featurizer, examples: Example[], concept: ConceptRows, batchSize = 256): number[] | null {
  if (!concept.onlyGathered) return null;
  const wanted = new Set(concept.rows);
  const lines: number[] = [];
  for (let start = 0; start < examples.length; start += batchSize) {
    const batch = examples.slice(start, start + batchSize);
    const feed = featurizer.encode(batch)[concept.input];
    if (!feed || Array.isArray(feed.data)) return null;
    const width = feed.data.length / Math.max(1, batch.length);
    const ids = feed.data as ArrayLike<number | bigint>;
    for (let b = 0; b < batch.length; b++) {
      for (let k = b * width; k < (b + 1) * width; k++) {
        if (wanted.has(Number(ids[k]))) {
          lines.push(start + b);
          break;
        }
      }
    }
  }
  return lines;
}
