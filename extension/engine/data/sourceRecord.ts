/**
 * The format-independent shape every reader produces: where a record sits in the file, and either its
 * parsed fields or why it cannot be used. Mapping to Example happens once, after this.
 */
import { isUtf8 } from 'node:buffer';
import type { RecordView } from './fieldPath';
import type { PhysicalLine } from './lineReader';

export interface SourceRecord {
  line: number;
  endLine: number;
  byteOffset: number;
  byteLength: number;
  /** The parsed record; absent when `problem` says why the record is skipped. */
  view?: RecordView;
  problem?: string;
  /** Problems that leave the record usable. */
  warnings: string[];
}

export interface DecodedLine {
  text?: string;
  problem?: string;
  warnings: string[];
}

/**
 * Decodes one physical line. Invalid UTF-8 is kept with U+FFFD replacements and reported, the way
 * most training scripts would have read it with errors="replace"; NUL bytes and oversized lines skip.
 */
export function decodeLine(line: PhysicalLine, maxRecordBytes: number): DecodedLine {
  if (!line.bytes) {
    return { problem: `record is ${line.byteLength} bytes, over maxRecordBytes (${maxRecordBytes}); skipped`, warnings: [] };
  }
  if (line.bytes.includes(0)) return { problem: 'NUL byte in line: binary data, not text; skipped', warnings: [] };
  const warnings: string[] = [];
  if (!isUtf8(line.bytes)) {
    warnings.push(`invalid UTF-8 at byte ${firstInvalidUtf8(line.bytes) + 1} of the line; decoded with U+FFFD replacement characters`);
  }
  return { text: line.bytes.toString('utf8'), warnings };
}

/** Index of the first byte that starts an invalid UTF-8 sequence (only called when isUtf8 said no). */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // Checking the whole sequence with isUtf8 also rejects overlongs and surrogates.
    if (length > 1 && !isUtf8(bytes.subarray(i, i + length))) return i;
    i += length;
  }
  return i;
}
