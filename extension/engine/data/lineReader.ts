/**
 * Splits a file into physical lines at the byte level, so every line carries its exact byte offset and
 * length in the file as stored (the provenance PolicyTrace shows must survive BOMs, CRLF and multi-byte
 * UTF-8). Memory stays bounded: a line longer than the limit is measured, not kept.
 */
import { createReadStream } from 'node:fs';

export interface PhysicalLine {
  /** 1-based line number. */
  line: number;
  /** Offset of the line's first byte in the file (the BOM, if any, counts). */
  byteOffset: number;
  /** Length in bytes without the line terminator. */
  byteLength: number;
  /** The line's bytes without terminator; null when the line exceeded `maxLineBytes` (only measured). */
  bytes: Buffer | null;
  /** The terminator that ended this line: '\n', '\r\n', or '' for the last line without one. */
  terminator: '' | '\n' | '\r\n';
}

export interface LineReadOptions {
  /** Byte offset to start at (3 skips a UTF-8 BOM); line 1 starts here. */
  start: number;
  /** Lines longer than this are yielded with `bytes: null`. */
  maxLineBytes: number;
  /** Read chunk size; small values exercise chunk boundaries in tests. */
  chunkBytes?: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export async function* readPhysicalLines(file: string, options: LineReadOptions): AsyncGenerator<PhysicalLine> {
  const stream = createReadStream(file, { start: options.start, highWaterMark: options.chunkBytes ?? 1 << 16 });
  // One extra byte is allowed so a line of exactly maxLineBytes followed by '\r' is still kept.
  const keepLimit = options.maxLineBytes + 1;
  let parts: Buffer[] = [];
  let partsLength = 0;
  let oversized = false;
  let lineStart = options.start;
  let lineNumber = 1;
  let chunkStart = options.start;

  const takeLine = (tail: Buffer, terminated: boolean): PhysicalLine => {
    const rawLength = partsLength + tail.length;
    let bytes: Buffer | null = null;
    if (!oversized && rawLength <= keepLimit) bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail], rawLength);
    const hasCarriageReturn = terminated && lastByte(parts, tail) === CARRIAGE_RETURN;
    const byteLength = hasCarriageReturn ? rawLength - 1 : rawLength;
    if (bytes && hasCarriageReturn) bytes = bytes.subarray(0, byteLength);
    if (bytes && byteLength > options.maxLineBytes) bytes = null;
    const line: PhysicalLine = {
      line: lineNumber,
      byteOffset: lineStart,
      byteLength,
      bytes,
      terminator: terminated ? (hasCarriageReturn ? '\r\n' : '\n') : '',
    };
    parts = [];
    partsLength = 0;
    oversized = false;
    return line;
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let position = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, position);
      if (newline < 0) break;
      const line = takeLine(chunk.subarray(position, newline), true);
      lineStart = chunkStart + newline + 1;
      lineNumber++;
      position = newline + 1;
      yield line;
    }
    const rest = chunk.subarray(position);
    if (rest.length > 0) {
      partsLength += rest.length;
      if (oversized || partsLength > keepLimit) {
        oversized = true;
        parts = [lastByteBuffer(parts, rest)];
      } else {
        // Copy: the stream may reuse its chunk buffers once we move on.
        parts.push(Buffer.from(rest));
      }
    }
    chunkStart += chunk.length;
  }
  if (partsLength > 0) yield takeLine(Buffer.alloc(0), false);
}

/** While a line is oversized only its length and its final byte (for CRLF) matter. */
function lastByteBuffer(parts: Buffer[], rest: Buffer): Buffer {
  return Buffer.from([lastByte(parts, rest)]);
}

function lastByte(parts: Buffer[], tail: Buffer): number {
  if (tail.length > 0) return tail[tail.length - 1];
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i].length > 0) return parts[i][parts[i].length - 1];
  return -1;
}
