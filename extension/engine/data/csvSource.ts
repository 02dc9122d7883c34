/** CSV/TSV rows to records: header handling and the column-count check. */
import { decideHeader, HEADER_SAMPLE_ROWS } from './csvHeader';
import type { CsvRow } from './csvRows';
import type { SourceRecord } from './sourceRecord';

export interface CsvHeaderOptions {
  header: boolean | 'auto';
  /** Columns the field mapping names; the strongest evidence that the first row is a header. */
  namedColumns: string[];
  /** Receives the header (or null) once decided, before any record is yielded. */
  onHeader?: (header: string[] | null, line: number) => void;
}

export async function* csvRecords(rows: AsyncIterable<CsvRow>, options: CsvHeaderOptions): AsyncGenerator<SourceRecord> {
  // Buffer the first rows: deciding on a header needs to look past the first one.
  const buffered: CsvRow[] = [];
  const iterator = rows[Symbol.asyncIterator]();
  while (buffered.length <= HEADER_SAMPLE_ROWS) {
    const next = await iterator.next();
    if (next.done) break;
    buffered.push(next.value);
  }
  const firstGood = buffered.findIndex((row) => row.fields !== undefined);
  let header: string[] | null = null;
  let expected = -1;
  if (firstGood >= 0) {
    const first = buffered[firstGood].fields as string[];
    const sample = buffered.slice(firstGood + 1).flatMap((row) => (row.fields ? [row.fields] : []));
    if (decideHeader(first, sample, options.header, options.namedColumns)) header = first;
    expected = first.length;
  }
  options.onHeader?.(header, header ? buffered[firstGood].line : 0);
  const toRecord = (row: CsvRow): SourceRecord => recordFromRow(row, header, expected);
  for (let i = 0; i < buffered.length; i++) {
    if (header && i === firstGood) continue;
    yield toRecord(buffered[i]);
  }
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      yield toRecord(next.value);
    }
  } finally {
    // A consumer that stops early (detectFields) must still close the file.
    await iterator.return?.(undefined);
  }
}

function recordFromRow(row: CsvRow, header: string[] | null, expected: number): SourceRecord {
  const { fields, problem, ...location } = row;
  if (!fields) return { ...location, problem };
  if (fields.length !== expected) {
    const against = header ? `the header has ${expected} (${header.join(', ')})` : `the first row has ${expected}`;
    return { ...location, problem: `row has ${fields.length} columns but ${against}; skipped` };
  }
  const record: Record<string, unknown> = {};
  for (let column = 0; column < fields.length; column++) {
    const name = header ? header[column] : `$${column}`;
    if (!Object.hasOwn(record, name)) record[name] = fields[column];
  }
  return { ...location, view: { record, columns: fields } };
}
