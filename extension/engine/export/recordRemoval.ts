/**
 * Byte-exact removal of whole records from a file's bytes. A record is [byteOffset, byteOffset + byteLength)
 * plus the line terminator after it (LF or CRLF), which is removed with it; every other byte, the CSV header
 * and other records' terminators included, is copied unchanged. Records may span lines (quoted newlines).
 */
import { PolicyTraceError } from '../errors';

export interface ByteRecord {
  file: string;
  line: number;
  byteOffset: number;
  byteLength: number;
}

const LF = 0x0a;
const CR = 0x0d;

/** Length of the terminator starting at `at` (2 for CRLF, 1 for LF, 0 at end of file). */
function terminatorLength(bytes: Uint8Array, at: number, record: ByteRecord): number {
  if (at === bytes.length) return 0;
  if (bytes[at] === LF) return 1;
  if (bytes[at] === CR && bytes[at + 1] === LF) return 2;
  throw new PolicyTraceError(
    `record (bytes ${record.byteOffset}..${at}) is not followed by a line break: the file changed since the audit; re-run it`,
    { file: record.file, line: record.line },
    'export',
  );
}

function checkRecord(bytes: Uint8Array, record: ByteRecord): void {
  const { byteOffset, byteLength } = record;
  const end = byteOffset + byteLength;
  if (!Number.isInteger(byteOffset) || !Number.isInteger(byteLength) || byteOffset < 0 || byteLength < 0 || end > bytes.length) {
    throw new PolicyTraceError(
      `record bytes ${byteOffset}..${end} lie outside the file (${bytes.length} bytes): the file changed since the audit; re-run it`,
      { file: record.file, line: record.line },
      'export',
    );
  }
  if (byteOffset > 0 && bytes[byteOffset - 1] !== LF) {
    throw new PolicyTraceError(
      `record at byte ${byteOffset} does not start a line: the file changed since the audit; re-run it`,
      { file: record.file, line: record.line },
      'export',
    );
  }
}

/** The file's bytes without the given records. Duplicated records count once; overlapping ones are an error. */
export function removeRecords(bytes: Uint8Array, records: ByteRecord[]): { bytes: Uint8Array; removed: number } {
  const unique = new Map<number, ByteRecord>();
  for (const record of records) unique.set(record.byteOffset, record);
  const sorted = [...unique.values()].sort((a, b) => a.byteOffset - b.byteOffset);
  const keep: [number, number][] = [];
  let cursor = 0;
  for (const record of sorted) {
    checkRecord(bytes, record);
    if (record.byteOffset < cursor) {
      throw new PolicyTraceError(`record overlaps the previous flagged record`, { file: record.file, line: record.line }, 'export');
    }
    const end = record.byteOffset + record.byteLength;
    keep.push([cursor, record.byteOffset]);
    cursor = end + terminatorLength(bytes, end, record);
  }
  keep.push([cursor, bytes.length]);
  const size = keep.reduce((sum, [start, stop]) => sum + (stop - start), 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const [start, stop] of keep) {
    out.set(bytes.subarray(start, stop), at);
    at += stop - start;
  }
  return { bytes: out, removed: sorted.length };
}
