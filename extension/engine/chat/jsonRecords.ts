/**
 * JSON records with exact provenance, from JSON Lines (one object per line) or from one top-level JSON
 * array (the raw CAA files): each record knows its line, byte offset and length, and can say where any
 * value inside it starts (line and column), so a message can be opened at its own string in the editor.
 * Offsets come from jsonc-parser's syntax tree over the same text JSON.parse read.
 */
import { promises as fs } from 'node:fs';
import { findNodeAtLocation, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { PolicyTraceError } from '../errors';
import { isBlank } from '../data/jsonlSource';
import { readPhysicalLines } from '../data/lineReader';
import { DEFAULT_MAX_RECORD_BYTES } from '../data/recordSource';
import { decodeLine } from '../data/sourceRecord';
import { sniffTextFile } from '../data/textSniff';

export interface JsonRecord {
  line: number;
  endLine: number;
  byteOffset: number;
  byteLength: number;
  /** The parsed object; absent when `problem` says why the record cannot be used. */
  value?: Record<string, unknown>;
  problem?: string;
  /** Problems that leave the record usable (invalid UTF-8 replaced). */
  warnings: string[];
  /** Where the value at `path` (e.g. ['messages', 2, 'content']) starts: 1-based line and UTF-16 column. */
  locate(path: (string | number)[]): { line: number; column: number } | undefined;
}

export type JsonLayout = 'jsonl' | 'jsonArray';

export interface JsonRecordSource {
  layout: JsonLayout;
  records: AsyncGenerator<JsonRecord>;
}

const STRICT_JSON = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false } as const;
const OPEN_BRACKET = 0x5b;

export async function openJsonRecords(file: string, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES): Promise<JsonRecordSource> {
  const sniff = await sniffTextFile(file);
  if (sniff.firstContentByte === OPEN_BRACKET) return { layout: 'jsonArray', records: arrayRecords(file, sniff.bomLength) };
  return { layout: 'jsonl', records: lineRecords(file, sniff.bomLength, maxRecordBytes) };
}

async function* lineRecords(file: string, bomLength: number, maxRecordBytes: number): AsyncGenerator<JsonRecord> {
  for await (const physical of readPhysicalLines(file, { start: bomLength, maxLineBytes: maxRecordBytes })) {
    if (isBlank(physical)) continue;
    const decoded = decodeLine(physical, maxRecordBytes);
    let tree: Node | undefined;
    const record: JsonRecord = {
      line: physical.line,
      endLine: physical.line,
      byteOffset: physical.byteOffset,
      byteLength: physical.byteLength,
      warnings: decoded.warnings,
      locate: (path) => {
        const node = tree && findNodeAtLocation(tree, path);
        return node && { line: physical.line, column: node.offset + 1 };
      },
    };
    if (decoded.text === undefined) {
      record.problem = decoded.problem;
    } else {
      const parsed = parseObject(decoded.text);
      if (typeof parsed === 'string') record.problem = parsed;
      else ({ value: record.value, tree } = parsed);
    }
    yield record;
  }
}

function parseObject(text: string): { value: Record<string, unknown>; tree: Node } | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message}); skipped`;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `line is JSON but ${describeKind(value)}, not an object; skipped`;
  }
  const tree = parseTree(text, [], STRICT_JSON);
  // JSON.parse accepted the text, so jsonc-parser (a superset) builds a tree for it.
  if (!tree) return 'not valid JSON; skipped';
  return { value: value as Record<string, unknown>, tree };
}

/**
 * A JSON array file is parsed whole (it cannot be streamed record by record without a streaming parser);
 * a syntax error anywhere makes the file unusable and is thrown with its line and column.
 */
async function* arrayRecords(file: string, bomLength: number): AsyncGenerator<JsonRecord> {
  const bytes = await fs.readFile(file);
  const text = bytes.subarray(bomLength).toString('utf8');
  const lines = new LineIndex(text);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, STRICT_JSON);
  if (errors.length > 0 || !tree || tree.type !== 'array') {
    const first = errors[0];
    const at = first ? lines.position(first.offset) : { line: 1, column: 1 };
    const why = first ? printParseErrorCode(first.error) : 'the file does not hold a JSON array';
    throw new PolicyTraceError(`not a valid JSON array (${why} at column ${at.column})`, { file, line: at.line }, 'data.jsonArray');
  }
  // Byte offsets advance incrementally: UTF-16 offsets into `text` map to UTF-8 bytes in the file.
  let byteCursor = bomLength;
  let textCursor = 0;
  const byteOffsetOf = (offset: number): number => {
    byteCursor += Buffer.byteLength(text.slice(textCursor, offset), 'utf8');
    textCursor = offset;
    return byteCursor;
  };
  for (const element of tree.children ?? []) {
    const start = lines.position(element.offset);
    const byteOffset = byteOffsetOf(element.offset);
    const byteLength = Buffer.byteLength(text.slice(element.offset, element.offset + element.length), 'utf8');
    const record: JsonRecord = {
      line: start.line,
      endLine: lines.position(element.offset + element.length).line,
      byteOffset,
      byteLength,
      warnings: [],
      locate: (path) => {
        const node = findNodeAtLocation(element, path);
        return node && lines.position(node.offset);
      },
    };
    const value: unknown = JSON.parse(text.slice(element.offset, element.offset + element.length));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      record.problem = `array element is ${describeKind(value)}, not an object; skipped`;
    } else {
      record.value = value as Record<string, unknown>;
    }
    yield record;
  }
}

/** Line starts of a text, for turning a character offset into a 1-based line and column. */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - this.starts[low] + 1 };
  }
}

function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
