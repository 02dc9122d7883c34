/**
 * Transformer inputs from a Hugging Face tokenizer.json (via @huggingface/tokenizers): input_ids,
 * attention_mask and, for models that take it, token_type_ids, all int64 [n, maxLength]. Sequences are
 * truncated the way the Rust tokenizers library does: content tokens are cut, the special tokens the
 * post-processor adds ([CLS] … [SEP]) are kept, so a truncated input still ends with [SEP].
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Tokenizer as TokenizerType } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { PolicyTraceError } from '../errors';
import type { Example } from '../data/example';
import type { Feeds } from '../runner/feeds';
import type { Featurizer, FeaturizerConfig, FeaturizerContext } from './featurizer';
import { intTensor } from './intFeeds';
import { fixedLength, findInput } from './modelInputs';

// The package is ESM-first but ships a CommonJS build under its "require" condition; the engine is
// CommonJS (workers, CLI, mocha), so load that build and borrow only the types from the ESM side.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: typeof TokenizerType };

type HfConfig = Extract<FeaturizerConfig, { kind: 'hfTokenizer' }>;
const KNOWN_INPUTS = ['input_ids', 'attention_mask', 'token_type_ids'] as const;
type KnownInput = (typeof KNOWN_INPUTS)[number];
const DEFAULT_MAX_LENGTH = 128;

export async function createHfTokenizerFeaturizer(config: HfConfig, context: FeaturizerContext): Promise<Featurizer> {
  const file = path.resolve(context.baseDir, config.tokenizer ?? context.checkpoint?.tokenizerPath ?? 'tokenizer.json');
  const json = await readJsonObject(file, 'tokenizer.json');
  const tokenizerConfig = await readSiblingConfig(file);
  let tokenizer: TokenizerType;
  try {
    tokenizer = new Tokenizer(json, tokenizerConfig);
  } catch (error) {
    throw new PolicyTraceError(`cannot build a tokenizer from this file: ${(error as Error).message}`, { file }, 'featurize.tokenizer');
  }
  const inputNames = chooseInputNames(config.inputNames, context, file);
  const maxLength = config.maxLength ?? fixedLength(findInput('input_ids', context.inputs)) ?? truncationLength(json) ?? DEFAULT_MAX_LENGTH;
  const padId = findPadId(json, tokenizerConfig, tokenizer);
  return {
    describe: () => `Hugging Face tokenizer (${path.basename(file)}; pad id ${padId}) → ${inputNames.join(', ')} int64 [n, ${maxLength}]`,
    tokens: (text: string) => tokenizer.tokenize(text),
    encode: (batch: Example[]): Feeds => {
      const columns: Record<KnownInput, number[][]> = { input_ids: [], attention_mask: [], token_type_ids: [] };
      for (const example of batch) {
        const encoded = encodeTruncated(tokenizer, example.text, maxLength);
        const pad = maxLength - encoded.ids.length;
        columns.input_ids.push([...encoded.ids, ...new Array<number>(pad).fill(padId)]);
        columns.attention_mask.push([...encoded.ids.map(() => 1), ...new Array<number>(pad).fill(0)]);
        columns.token_type_ids.push([...encoded.typeIds, ...new Array<number>(pad).fill(0)]);
      }
      const feeds: Feeds = {};
      for (const name of inputNames) feeds[name] = intTensor(columns[name], maxLength, 'int64');
      return feeds;
    },
  };
}

/**
 * Encodes with special tokens; when too long, cuts the content between the leading and trailing special
 * tokens (found by aligning with the encoding without specials) so the template survives truncation.
 */
export function encodeTruncated(tokenizer: TokenizerType, text: string, maxLength: number): { ids: number[]; typeIds: number[] } {
  const full = tokenizer.encode(text, { return_token_type_ids: true });
  const typeIds = full.token_type_ids ?? full.ids.map(() => 0);
  if (full.ids.length <= maxLength) return { ids: full.ids, typeIds };
  const plain = tokenizer.encode(text, { add_special_tokens: false }).ids;
  const prefix = findSubsequence(full.ids, plain);
  if (prefix < 0 || full.ids.length - plain.length >= maxLength) {
    return { ids: full.ids.slice(0, maxLength), typeIds: typeIds.slice(0, maxLength) };
  }
  const suffixStart = prefix + plain.length;
  const keep = maxLength - (full.ids.length - plain.length);
  const pick = <T>(values: T[]) => [...values.slice(0, prefix + keep), ...values.slice(suffixStart)];
  return { ids: pick(full.ids), typeIds: pick(typeIds) };
}

function findSubsequence(haystack: number[], needle: number[]): number {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    let match = true;
    for (let i = 0; i < needle.length && match; i++) match = haystack[start + i] === needle[i];
    if (match) return start;
  }
  return -1;
}

function chooseInputNames(configured: string[] | undefined, context: FeaturizerContext, file: string): KnownInput[] {
  const names = configured ?? context.inputs?.map((input) => input.name).filter((name) => isKnown(name)) ?? ['input_ids', 'attention_mask'];
  const unknown = names.filter((name) => !isKnown(name));
  if (unknown.length > 0) {
    throw new PolicyTraceError(
      `cannot feed input${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the tokenizer featurizer produces ${KNOWN_INPUTS.join(', ')}`,
      { file, field: 'featurizer.inputNames' },
      'featurize.inputName',
    );
  }
  if (!names.includes('input_ids')) {
    throw new PolicyTraceError('featurizer.inputNames must include input_ids', { file, field: 'featurizer.inputNames' }, 'featurize.inputName');
  }
  return names as KnownInput[];
}

function isKnown(name: string): name is KnownInput {
  return (KNOWN_INPUTS as readonly string[]).includes(name);
}

function truncationLength(json: Record<string, unknown>): number | undefined {
  const truncation = json.truncation as { max_length?: unknown } | null | undefined;
  return typeof truncation?.max_length === 'number' ? truncation.max_length : undefined;
}

/** tokenizer.json's padding.pad_id, else tokenizer_config.json's pad_token, else a conventional pad token, else 0. */
function findPadId(json: Record<string, unknown>, config: Record<string, unknown>, tokenizer: TokenizerType): number {
  const padding = json.padding as { pad_id?: unknown } | null | undefined;
  if (typeof padding?.pad_id === 'number') return padding.pad_id;
  const configured = typeof config.pad_token === 'string' ? config.pad_token : undefined;
  for (const token of [configured, '[PAD]', '<pad>', '<|pad|>']) {
    const id = token === undefined ? undefined : tokenizer.token_to_id(token);
    if (id !== undefined) return id;
  }
  return 0;
}

async function readSiblingConfig(tokenizerFile: string): Promise<Record<string, unknown>> {
  const file = path.join(path.dirname(tokenizerFile), 'tokenizer_config.json');
  const exists = await fs.stat(file).then((s) => s.isFile(), () => false);
  return exists ? readJsonObject(file, 'tokenizer_config.json') : {};
}

async function readJsonObject(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new PolicyTraceError(`${what} not found or unreadable (set featurizer.tokenizer)`, { file, field: 'featurizer.tokenizer' }, 'featurize.tokenizer');
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new PolicyTraceError(`${what} is not valid JSON (${(error as Error).message})`, { file }, 'featurize.tokenizer');
  }
  throw new PolicyTraceError(`${what} must hold a JSON object`, { file }, 'featurize.tokenizer');
}
