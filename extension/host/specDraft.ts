/**
 * Drafts a `policytrace.json` from what the Create Audit Spec pickers learned: the checkpoint and its
 * companions, the model's first input, the chosen files and fields. Pure (no vscode) and unit-tested.
 */
import * as path from 'node:path';

export interface ModelInputInfo {
  name: string;
  /** Element type as the engine names it ('int64', 'float32', 'string', ...). */
  type: string;
  shape?: (number | string)[];
}

export interface SpecDraftInput {
  specDir: string;
  modelPath: string;
  tokenizerPath?: string;
  vocabPath?: string;
  inputs: ModelInputInfo[];
  train: string[];
  probe: string[];
  fields: { text: string; label?: string; id?: string; group?: string; split?: string };
  labels?: string[];
}

const DEFAULT_SEQUENCE_LENGTH = 128;

function relative(specDir: string, file: string): string {
  return path.relative(specDir, file).split(path.sep).join('/') || '.';
}

/** The fixed sequence length the model declares on its first input's second axis, if any. */
function declaredLength(input: ModelInputInfo | undefined): number | undefined {
  const dim = input?.shape?.[1];
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

export function chooseFeaturizer(input: SpecDraftInput): Record<string, unknown> {
  const first = input.inputs[0];
  if (input.tokenizerPath) {
    return { kind: 'hfTokenizer', tokenizer: relative(input.specDir, input.tokenizerPath), maxLength: declaredLength(first) ?? DEFAULT_SEQUENCE_LENGTH, inputNames: input.inputs.map((i) => i.name) };
  }
  if (input.vocabPath) {
    return { kind: 'wordVocab', vocab: relative(input.specDir, input.vocabPath), length: declaredLength(first) ?? DEFAULT_SEQUENCE_LENGTH, lowercase: true, inputName: first?.name ?? 'input' };
  }
  if (first?.type === 'string') return { kind: 'strings', inputName: first.name };
  return { kind: 'numeric', inputName: first?.name ?? 'input' };
}

export function draftSpec(input: SpecDraftInput): Record<string, unknown> {
  const fields: Record<string, string> = { text: input.fields.text };
  for (const key of ['label', 'id', 'group', 'split'] as const) {
    const value = input.fields[key];
    if (value) fields[key] = value;
  }
  const spec: Record<string, unknown> = {
    checkpoint: relative(input.specDir, input.modelPath),
    featurizer: chooseFeaturizer(input),
    train: input.train.map((f) => relative(input.specDir, f)),
  };
  if (input.probe.length > 0) spec.probe = input.probe.map((f) => relative(input.specDir, f));
  spec.fields = fields;
  if (input.labels && input.labels.length > 0) spec.labels = input.labels;
  spec.hypotheses = [];
  return spec;
}

/** Likely field names first: the picker preselects them. */
export function guessField(fields: readonly string[], role: 'text' | 'label' | 'id' | 'group' | 'split'): string | undefined {
  const candidates: Record<typeof role, string[]> = {
    text: ['text', 'sentence', 'message', 'content', 'prompt', 'input', 'question', 'review'],
    label: ['label', 'labels', 'class', 'category', 'target', 'intent', 'y'],
    id: ['id', 'row', 'idx', 'uid'],
    group: ['source', 'group', 'origin', 'dataset'],
    split: ['split', 'fold', 'subset'],
  };
  const lower = fields.map((f) => f.toLowerCase());
  for (const name of candidates[role]) {
    const index = lower.indexOf(name);
    if (index >= 0) return fields[index];
  }
  return undefined;
}

/** Distinct label values seen in sample records, sorted, as a first guess at the class list. */
export function labelsFromSample(sample: readonly Record<string, unknown>[], field: string): string[] {
  const values = new Set<string>();
  for (const record of sample) {
    const value = record[field];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') values.add(String(value));
  }
  return [...values].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
