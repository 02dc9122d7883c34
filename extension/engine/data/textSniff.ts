/**
 * Looks at the first bytes of a dataset file before any parsing, so that a file that is not UTF-8 text
 * fails with one message naming the file instead of thousands of per-line parse errors.
 */
import { promises as fs } from 'node:fs';
import { PolicyTraceError } from '../errors';

/** How many leading bytes decide whether a file is binary (git uses the first 8000). */
const SNIFF_BYTES = 8192;

export interface TextSniff {
  /** Bytes of the UTF-8 byte-order mark to skip (0 or 3); byte offsets still count from the file start. */
  bomLength: number;
  /** File size in bytes. */
  size: number;
  /** The first byte after the BOM that is not whitespace, or -1 (tells a JSON array from JSON lines). */
  firstContentByte: number;
}

/**
 * Checks that `file` exists, is a regular file, and looks like UTF-8 text.
 * UTF-16/UTF-32 files are rejected (not decoded): PolicyTrace's provenance is byte offsets into the
 * UTF-8 file a training script read, and re-encoding would make those offsets point elsewhere.
 */
export async function sniffTextFile(file: string): Promise<TextSniff> {
  const stat = await statOrThrow(file);
  if (stat.isDirectory()) {
    throw new PolicyTraceError('is a directory, not a dataset file (name a file, or use a glob such as dir/*.jsonl)', { file }, 'data.isDirectory');
  }
  if (!stat.isFile()) throw new PolicyTraceError('is not a regular file', { file }, 'data.notAFile');
  const head = await readHead(file, Math.min(SNIFF_BYTES, stat.size));
  rejectWideEncodings(file, head);
  const bomLength = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  const nul = head.indexOf(0);
  if (nul >= 0) {
    throw new PolicyTraceError(
      `not a text dataset: NUL byte at byte ${nul} (a binary file? datasets must be UTF-8 JSONL, CSV, TSV or text)`,
      { file },
      'data.binary',
    );
  }
  let firstContentByte = -1;
  for (let i = bomLength; i < head.length; i++) {
    if (![0x20, 0x09, 0x0a, 0x0d].includes(head[i])) {
      firstContentByte = head[i];
      break;
    }
  }
  return { bomLength, size: stat.size, firstContentByte };
}

async function statOrThrow(file: string) {
  try {
    return await fs.stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PolicyTraceError('dataset file not found', { file }, 'data.missing');
    if (code === 'EACCES') throw new PolicyTraceError('dataset file is not readable (permission denied)', { file }, 'data.unreadable');
    throw new PolicyTraceError(`cannot open dataset file: ${(error as Error).message}`, { file }, 'data.unreadable');
  }
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function rejectWideEncodings(file: string, head: Buffer): void {
  const hint = 'PolicyTrace reads UTF-8; convert it first, e.g. `iconv -f UTF-16 -t UTF-8 in > out`';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x0000feff) fail(file, `is UTF-32 (big-endian BOM). ${hint}`);
  if (head.length >= 4 && head.readUInt32LE(0) === 0x0000feff) fail(file, `is UTF-32 (little-endian BOM). ${hint}`);
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) fail(file, `is UTF-16 (little-endian BOM). ${hint}`);
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) fail(file, `is UTF-16 (big-endian BOM). ${hint}`);
  if (looksLikeBomlessUtf16(head)) fail(file, `looks like UTF-16 without a BOM (every other byte is NUL). ${hint}`);
}

/** ASCII text in UTF-16 has a NUL in every other byte: count NULs at even and odd positions. */
function looksLikeBomlessUtf16(head: Buffer): boolean {
  const pairs = Math.floor(head.length / 2);
  if (pairs < 4) return false;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) evenNuls++;
    if (head[i + 1] === 0) oddNuls++;
  }
  return Math.max(evenNuls, oddNuls) > 0.9 * pairs && Math.min(evenNuls, oddNuls) < 0.1 * pairs;
}

function fail(file: string, message: string): never {
  throw new PolicyTraceError(message, { file }, 'data.encoding');
}
