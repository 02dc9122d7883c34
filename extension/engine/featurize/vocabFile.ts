/**
 * Word vocabularies as training scripts save them: `{"word": id, ...}` (the SMS model, three of the
 * sentiment models) or `{"vocab": {...}, "meta": {"pad_id", "max_len"}}` (simple_text_classification0).
 * Anything else is rejected with a message that shows the expected shape.
 */
import { promises as fs } from 'node:fs';
import { PolicyTraceError } from '../errors';

export interface WordVocab {
  ids: Map<string, number>;
  /** From `meta` when the file has one. */
  padId?: number;
  unknownId?: number;
  maxLength?: number;
}

const EXPECTED = 'expected a JSON object mapping words to integer ids, e.g. {"hello": 1, "world": 2}, or {"vocab": {...}, "meta": {"pad_id": 0, "max_len": 100}}';

export async function loadWordVocab(file: string): Promise<WordVocab> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PolicyTraceError(missing ? 'vocabulary file not found' : `cannot read vocabulary file: ${(error as Error).message}`, { file }, 'featurize.vocab');
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new PolicyTraceError(`vocabulary file is not valid JSON (${(error as Error).message})`, { file }, 'featurize.vocab');
  }
  if (!isObject(json)) throw new PolicyTraceError(`vocabulary file holds ${describe(json)}; ${EXPECTED}`, { file }, 'featurize.vocab');
  if (isObject(json.vocab)) {
    const meta = isObject(json.meta) ? json.meta : {};
    return {
      ids: toIdMap(json.vocab, file),
      padId: optionalInteger(meta.pad_id),
      unknownId: optionalInteger(meta.unk_id),
      maxLength: optionalInteger(meta.max_len),
    };
  }
  return { ids: toIdMap(json, file) };
}

function toIdMap(object: Record<string, unknown>, file: string): Map<string, number> {
  const ids = new Map<string, number>();
  for (const [word, id] of Object.entries(object)) {
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
      throw new PolicyTraceError(`the id of "${word}" is ${JSON.stringify(id)}, not a non-negative integer; ${EXPECTED}`, { file }, 'featurize.vocab');
    }
    ids.set(word, id);
  }
  if (ids.size === 0) throw new PolicyTraceError(`vocabulary is empty; ${EXPECTED}`, { file }, 'featurize.vocab');
  return ids;
}

function optionalInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : `a ${typeof value}`;
}
