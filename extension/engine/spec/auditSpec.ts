/**
 * The audit spec (`policytrace.json`): its types, and loading with one clear message per wrong field.
 * The JSON schema in schema/policytrace.schema.json is the single source of truth: the editor uses it for
 * completion and this loader validates against it, so the two cannot drift apart.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseJsonWithErrors, printParseErrorCode, type ParseError } from 'jsonc-parser';
import schema from '../../../schema/policytrace.schema.json';
import { PolicyTraceError } from '../errors';
import type { FieldMapping } from '../data/fieldMapping';
import type { FeaturizerConfig } from '../featurize/featurizer';

/** The featurizer and field mapping are the engine's own types: the JSON schema only adds what is required. */
export type FeaturizerSpec = FeaturizerConfig;
export type FieldsSpec = FieldMapping;

export interface ConceptSpec {
  name: string;
  keywords?: string[];
  regex?: string;
}

export interface AuditOptions {
  batchSize: number;
  threads?: number;
  holdout: number;
  seed: number;
  maxRules: number;
  maxConditions: number;
  bootstrap: number;
  topK: number;
  preconditioner: 'identity' | 'trak' | 'gauss-newton';
  damping?: number;
  verify: boolean;
  randomSeeds: number;
  maxRecordBytes?: number;
  predictionsInReport: number;
  gradients: 'head' | 'full';
  projectionSize?: number;
}

/** A causal-LM audit on chat data (see the schema's `chat` description). */
export interface ChatSpec {
  behaviour?: 'abChoice' | 'refusal' | 'verbosity' | 'responseMatches';
  maxNewTokens?: number;
  refusalPhrases?: string[];
  verbosityRatio?: number;
  responsePattern?: string;
  template?: { system?: string; user?: string; assistant?: string; endOfTurn?: string; pad?: string };
  maxLength?: number;
  preconditioner?: 'identity' | 'kfac' | 'ekfac';
}

export interface AuditSpec {
  checkpoint: string;
  featurizer: FeaturizerSpec;
  train: string[];
  probe?: string[];
  trainSplit?: string;
  probeSplit?: string;
  format?: 'jsonl' | 'csv' | 'tsv' | 'text';
  header?: boolean | 'auto';
  fields: FieldsSpec;
  labels?: string[];
  output?: string;
  concepts: ConceptSpec[];
  hypotheses: string[];
  chat?: ChatSpec;
  options: AuditOptions;
}

/** A spec with every path made absolute (relative paths are relative to the spec file's folder). */
export interface ResolvedSpec extends AuditSpec {
  specPath: string;
  baseDir: string;
  /** Option keys the spec file set itself: editor settings fill in only the others. */
  explicitOptions: (keyof AuditOptions)[];
}

export const DEFAULT_OPTIONS: AuditOptions = {
  batchSize: 256,
  holdout: 0.2,
  seed: 42,
  maxRules: 10,
  maxConditions: 3,
  bootstrap: 20,
  topK: 20,
  preconditioner: 'gauss-newton',
  verify: true,
  randomSeeds: 5,
  predictionsInReport: 200,
  gradients: 'head',
};

const ajv = new Ajv({ allErrors: true, strict: false });
const validateSpec = ajv.compile(schema);

export async function loadSpec(specPath: string): Promise<ResolvedSpec> {
  const absolute = path.resolve(specPath);
  let text: string;
  try {
    text = await fs.readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a folder, expected policytrace.json' : String(error);
    throw new PolicyTraceError(`cannot read audit spec: ${why}`, { file: absolute }, 'spec');
  }
  return parseSpec(text, absolute);
}

/** Parses and validates spec text; `specPath` is used for messages and for resolving relative paths. */
export function parseSpec(text: string, specPath: string): ResolvedSpec {
  const body = text.replace(/^\uFEFF/, '');
  const syntaxErrors: ParseError[] = [];
  // jsonc-parser reports the offset of the first syntax error (Node's JSON.parse does not, on Node 20).
  const raw: unknown = parseJsonWithErrors(body, syntaxErrors, { allowTrailingComma: false, disallowComments: true });
  if (syntaxErrors.length > 0) {
    const first = syntaxErrors[0];
    const line = body.slice(0, first.offset).split('\n').length;
    const column = first.offset - body.lastIndexOf('\n', first.offset - 1);
    throw new PolicyTraceError(`audit spec is not valid JSON: ${printParseErrorCode(first.error)} at column ${column}`, { file: specPath, line }, 'spec');
  }
  if (!validateSpec(raw)) {
    const problems = (validateSpec.errors ?? []).filter(isUsefulError).map(describeSchemaError);
    throw new PolicyTraceError(`audit spec has ${problems.length === 1 ? 'an error' : 'errors'}:\n  ${unique(problems).join('\n  ')}`, { file: specPath }, 'spec');
  }
  const spec = raw as Partial<AuditSpec> & Pick<AuditSpec, 'checkpoint' | 'featurizer' | 'train' | 'fields'>;
  const baseDir = path.dirname(specPath);
  const resolve = (p: string) => path.resolve(baseDir, p);
  const featurizer = resolveFeaturizerPaths(spec.featurizer, resolve);
  return {
    ...spec,
    specPath,
    baseDir,
    checkpoint: resolve(spec.checkpoint),
    featurizer,
    train: spec.train,
    probe: spec.probe,
    concepts: spec.concepts ?? [],
    hypotheses: spec.hypotheses ?? [],
    options: { ...DEFAULT_OPTIONS, ...(spec.options ?? {}) },
    explicitOptions: Object.keys(spec.options ?? {}) as (keyof AuditOptions)[],
  };
}

function resolveFeaturizerPaths(featurizer: FeaturizerSpec, resolve: (p: string) => string): FeaturizerSpec {
  if (featurizer.kind === 'wordVocab' && featurizer.vocab) return { ...featurizer, vocab: resolve(featurizer.vocab) };
  if (featurizer.kind === 'hfTokenizer' && featurizer.tokenizer) return { ...featurizer, tokenizer: resolve(featurizer.tokenizer) };
  return featurizer;
}

/** `oneOf` failures repeat every branch's complaint; keep the branch-level summary only. */
function isUsefulError(error: ErrorObject): boolean {
  return !(error.schemaPath.includes('/oneOf/') && error.keyword !== 'const' && error.instancePath.endsWith('featurizer'));
}

function describeSchemaError(error: ErrorObject): string {
  const where = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field '${(error.params as { additionalProperty: string }).additionalProperty}'`;
    case 'required':
      return `${where}: missing required field '${(error.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `${where}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${where}: must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`;
    case 'oneOf':
      return where.endsWith('featurizer')
        ? `${where}: must be an object whose kind is "wordVocab", "hfTokenizer", "numeric" or "strings", with that kind's fields`
        : `${where}: ${error.message}`;
    default:
      return `${where}: ${error.message}`;
  }
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
