import type { Example } from '../../../extension/engine/data/example';

/** A minimal Example for featurizer tests; provenance fields matter only for error messages. */
export function example(text: string, extra: Partial<Example> = {}): Example {
  return { id: text, file: '/data/x.jsonl', line: 1, endLine: 1, byteOffset: 0, byteLength: 0, text, record: {}, ...extra };
}
