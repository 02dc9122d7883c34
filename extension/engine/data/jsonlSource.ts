/** JSON Lines and plain text: one record per non-empty physical line. */
import { decodeLine, type SourceRecord } from './sourceRecord';
import type { PhysicalLine } from './lineReader';

export async function* jsonlRecords(lines: AsyncIterable<PhysicalLine>, maxRecordBytes: number): AsyncGenerator<SourceRecord> {
  for await (const line of lines) {
    if (isBlank(line)) continue;
    const record = locate(line);
    const decoded = decodeLine(line, maxRecordBytes);
    record.warnings.push(...decoded.warnings);
    if (decoded.text === undefined) {
      record.problem = decoded.problem;
    } else {
      parseJsonObject(decoded.text, record);
    }
    yield record;
  }
}

/** Plain text: the line (without terminator) is the record, available as `text` and `$0`. */
export async function* textRecords(lines: AsyncIterable<PhysicalLine>, maxRecordBytes: number): AsyncGenerator<SourceRecord> {
  for await (const line of lines) {
    if (isBlank(line)) continue;
    const record = locate(line);
    const decoded = decodeLine(line, maxRecordBytes);
    record.warnings.push(...decoded.warnings);
    if (decoded.text === undefined) record.problem = decoded.problem;
    else record.view = { record: { text: decoded.text }, columns: [decoded.text] };
    yield record;
  }
}

function parseJsonObject(text: string, record: SourceRecord): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    record.problem = `not valid JSON (${(error as Error).message}); skipped`;
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    record.problem = `line is JSON but ${kind}, not an object; skipped`;
    return;
  }
  record.view = { record: value as Record<string, unknown> };
}

function locate(line: PhysicalLine): SourceRecord {
  return { line: line.line, endLine: line.line, byteOffset: line.byteOffset, byteLength: line.byteLength, warnings: [] };
}

/** Empty or whitespace-only lines separate nothing and are not records (an oversized line is never blank). */
export function isBlank(line: PhysicalLine): boolean {
  if (!line.bytes) return false;
  for (const byte of line.bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}
