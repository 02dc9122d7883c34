/**
 * Opens a dataset file as a stream of SourceRecords, whatever its format: the one place that checks the
 * file, skips the BOM and picks the per-format reader, shared by readDataset and detectFields.
 */
import { PolicyTraceError } from '../errors';
import { csvRecords } from './csvSource';
import { csvRows } from './csvRows';
import { delimiterOf, resolveFormat, type DatasetFormat } from './formats';
import { jsonlRecords, textRecords } from './jsonlSource';
import { readPhysicalLines } from './lineReader';
import type { SourceRecord } from './sourceRecord';
import { sniffTextFile } from './textSniff';
import { detectTsvQuoting } from './tsvQuoting';

export const DEFAULT_MAX_RECORD_BYTES = 2 * 1024 * 1024;

export interface SourceOptions {
  format?: DatasetFormat;
  /** Whether CSV/TSV files start with a header row (default 'auto'). */
  header?: boolean | 'auto';
  /** Quote character for CSV/TSV, false for none; 'auto' (default) = '"' for CSV, detected for TSV. */
  quote?: '"' | "'" | false | 'auto';
  /** Records longer than this are reported and skipped (default 2 MiB). */
  maxRecordBytes?: number;
  /** Read chunk size in bytes (tests use tiny chunks to cross chunk boundaries). */
  chunkBytes?: number;
}

export interface OpenedSource {
  format: DatasetFormat;
  /** File size in bytes (including any BOM). */
  size: number;
  records: AsyncGenerator<SourceRecord>;
  /** Filled in for CSV/TSV once the first records have been read. */
  header: { names: string[] | null; line: number };
  /** How CSV/TSV quotes were treated and why (for the summary). */
  quoting?: string;
}

export async function openRecordSource(file: string, namedColumns: string[], options: SourceOptions = {}): Promise<OpenedSource> {
  const format = resolveFormat(file, options.format);
  const sniff = await sniffTextFile(file);
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (format === 'jsonl' && sniff.firstContentByte === 0x5b /* [ */) {
    throw new PolicyTraceError(
      'is one JSON array, not JSON lines (one object per line); convert it, e.g. `jq -c ".[]" in.json > out.jsonl`',
      { file },
      'data.jsonArray',
    );
  }
  const lines = () => readPhysicalLines(file, { start: sniff.bomLength, maxLineBytes: maxRecordBytes, chunkBytes: options.chunkBytes });
  const header: OpenedSource['header'] = { names: null, line: 0 };
  if (format === 'jsonl') return { format, size: sniff.size, header, records: jsonlRecords(lines(), maxRecordBytes) };
  if (format === 'text') return { format, size: sniff.size, header, records: textRecords(lines(), maxRecordBytes) };
  const quoting = await chooseQuote(file, format, options.quote ?? 'auto', sniff.bomLength, maxRecordBytes);
  const rows = csvRows(lines(), { delimiter: delimiterOf(format), quote: quoting.quote }, maxRecordBytes);
  const records = csvRecords(rows, {
    header: options.header ?? 'auto',
    namedColumns,
    onHeader: (names, line) => {
      header.names = names;
      header.line = line;
    },
  });
  return { format, size: sniff.size, header, records, quoting: quoting.reason };
}

async function chooseQuote(file: string, format: 'csv' | 'tsv', option: SourceOptions['quote'], bomLength: number, maxRecordBytes: number) {
  if (option !== 'auto' && option !== undefined) return { quote: option, reason: option === false ? 'quotes are literal (quote: false)' : `quote character ${option}` };
  if (format === 'csv') return { quote: '"' as const, reason: 'CSV quoting (RFC 4180)' };
  return detectTsvQuoting(file, bomLength, maxRecordBytes);
}
