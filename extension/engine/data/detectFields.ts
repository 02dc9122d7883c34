/**
 * The field paths a dataset offers, from its first records: what a "Create Audit Spec" picker lists.
 */
import * as path from 'node:path';
import type { DatasetFormat } from './formats';
import { listFieldPaths } from './fieldPath';
import { openRecordSource, type SourceOptions } from './recordSource';

export interface DetectedFields {
  format: DatasetFormat;
  /** Field paths in first-seen order (nested JSON paths included; CSV headers, or $0, $1, ...). */
  fields: string[];
  /** The first parsed records as read. */
  sample: Record<string, unknown>[];
  /** CSV/TSV: the header row, when the file has one. */
  header?: string[];
}

export interface DetectOptions extends SourceOptions {
  /** How many readable records to look at (default 20). */
  sampleSize?: number;
}

export async function detectFields(file: string, options: DetectOptions = {}): Promise<DetectedFields> {
  const source = await openRecordSource(path.resolve(file), [], options);
  const sampleSize = options.sampleSize ?? 20;
  const fields: string[] = [];
  const seen = new Set<string>();
  const sample: Record<string, unknown>[] = [];
  for await (const record of source.records) {
    if (!record.view) continue;
    sample.push(record.view.record);
    for (const field of listFieldPaths(record.view)) {
      if (!seen.has(field)) {
        seen.add(field);
        fields.push(field);
      }
    }
    if (sample.length >= sampleSize) break;
  }
  const result: DetectedFields = { format: source.format, fields, sample };
  if (source.header.names) result.header = source.header.names;
  return result;
}
