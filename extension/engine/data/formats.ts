/** Dataset formats and how a file's format is chosen. */
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';

export type DatasetFormat = 'jsonl' | 'csv' | 'tsv' | 'text';

const BY_EXTENSION: Record<string, DatasetFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.txt': 'text',
  '.text': 'text',
};

/** The explicit format if given, else the one the extension implies; an unknown extension is an error. */
export function resolveFormat(file: string, explicit?: DatasetFormat): DatasetFormat {
  if (explicit) return explicit;
  const extension = path.extname(file).toLowerCase();
  const format = BY_EXTENSION[extension];
  if (!format) {
    throw new PolicyTraceError(
      `cannot tell the dataset format from the extension "${extension || '(none)'}"; use .jsonl, .json (JSON lines), .csv, .tsv or .txt, or set the format explicitly`,
      { file },
      'data.unknownFormat',
    );
  }
  return format;
}

export function delimiterOf(format: 'csv' | 'tsv'): string {
  return format === 'csv' ? ',' : '\t';
}
