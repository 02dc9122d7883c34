/**
 * Loads a Hugging Face tokenizer.json (and its sibling tokenizer_config.json, when present) with
 * @huggingface/tokenizers' CommonJS build, the way the classifier featurizer does.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Tokenizer as TokenizerType } from '@huggingface/tokenizers' with { 'resolution-mode': 'import' };
import { PolicyTraceError } from '../errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tokenizer } = require('@huggingface/tokenizers') as { Tokenizer: typeof TokenizerType };

export interface LoadedTokenizer {
  file: string;
  tokenizer: TokenizerType;
  /** tokenizer_config.json's model_max_length when it is a real limit (the library writes 1e30 for "none"). */
  modelMaxLength?: number;
}

const NO_LIMIT = 1e9;

export async function loadTokenizer(tokenizerFile: string): Promise<LoadedTokenizer> {
  const file = path.resolve(tokenizerFile);
  const json = await readJsonObject(file, 'tokenizer.json');
  const configFile = path.join(path.dirname(file), 'tokenizer_config.json');
  const hasConfig = await fs.stat(configFile).then((s) => s.isFile(), () => false);
  const config = withModelUnkToken(json, hasConfig ? await readJsonObject(configFile, 'tokenizer_config.json') : {});
  let tokenizer: TokenizerType;
  try {
    tokenizer = new Tokenizer(json, config);
  } catch (error) {
    throw new PolicyTraceError(`cannot build a tokenizer from this file: ${(error as Error).message}`, { file }, 'chat.tokenizer');
  }
  const limit = config.model_max_length;
  const modelMaxLength = typeof limit === 'number' && Number.isInteger(limit) && limit > 0 && limit < NO_LIMIT ? limit : undefined;
  return { file, tokenizer, ...(modelMaxLength !== undefined && { modelMaxLength }) };
}

/**
 * @huggingface/tokenizers 0.2 builds a WordLevel model through its "Legacy" class, which takes the unknown
 * token from tokenizer_config.json and ignores model.unk_token: without a config every unknown word would
 * silently get id undefined (sent as 0). Supplying model.unk_token keeps unknown words mapped to <unk>.
 */
function withModelUnkToken(json: Record<string, unknown>, config: Record<string, unknown>): Record<string, unknown> {
  const model = json.model as { unk_token?: unknown } | undefined;
  if (config.unk_token !== undefined || typeof model?.unk_token !== 'string') return config;
  return { ...config, unk_token: model.unk_token };
}

async function readJsonObject(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new PolicyTraceError(`${what} not found or unreadable`, { file }, 'chat.tokenizer');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PolicyTraceError(`${what} is not valid JSON (${(error as Error).message})`, { file }, 'chat.tokenizer');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new PolicyTraceError(`${what} must hold a JSON object`, { file }, 'chat.tokenizer');
  }
  return value as Record<string, unknown>;
}
