/**
 * Field paths name a value inside a record: `text`, `a.b`, `messages[-1].content`, `messages[0].role`,
 * `a["key.with.dots"]`, or `$0`, `$1` for the columns of a header-less CSV/TSV. A path that is also an
 * exact key of the record (a CSV header such as `Message text` or `a.b`) names that key first.
 */
import { PolicyTraceError } from '../errors';

export type PathSegment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'column'; index: number };

/** A flat record plus its columns in file order, so `$N` works for CSV/TSV rows with or without header. */
export interface RecordView {
  record: Record<string, unknown>;
  columns?: string[];
}

const COLUMN_PATH = /^\$(\d+)$/;

export function parseFieldPath(path: string): PathSegment[] {
  const column = COLUMN_PATH.exec(path);
  if (column) return [{ kind: 'column', index: Number(column[1]) }];
  const segments: PathSegment[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new PolicyTraceError(`invalid field path "${path}": ${why}`, { field: path }, 'data.badPath');
  };
  while (i < path.length) {
    if (path[i] === '[') {
      const close = path.indexOf(']', i);
      if (close < 0) fail(`unclosed "[" at character ${i + 1}`);
      const inside = path.slice(i + 1, close).trim();
      if (/^-?\d+$/.test(inside)) segments.push({ kind: 'index', index: Number(inside) });
      else if (/^(".*"|'.*')$/.test(inside)) segments.push({ kind: 'key', key: inside.slice(1, -1) });
      else fail(`"[${inside}]" is neither an integer index nor a quoted key`);
      i = close + 1;
      if (path[i] === '.') i++;
      continue;
    }
    let end = i;
    while (end < path.length && path[end] !== '.' && path[end] !== '[') end++;
    if (end === i) fail(`empty name at character ${i + 1}`);
    segments.push({ kind: 'key', key: path.slice(i, end) });
    i = end;
    if (path[i] === '.') {
      i++;
      if (i === path.length) fail('ends with "."');
    }
  }
  if (segments.length === 0) fail('empty path');
  return segments;
}

/** The value at `path`, or undefined when any step is missing. */
export function resolveFieldPath(view: RecordView, path: string, segments: PathSegment[]): unknown {
  if (Object.prototype.hasOwnProperty.call(view.record, path)) return view.record[path];
  let current: unknown = view.record;
  for (const segment of segments) {
    if (segment.kind === 'column') {
      current = view.columns?.[segment.index];
    } else if (segment.kind === 'index') {
      if (!Array.isArray(current)) return undefined;
      current = current[segment.index < 0 ? current.length + segment.index : segment.index];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, segment.key)) return undefined;
      current = (current as Record<string, unknown>)[segment.key];
    }
    if (current === undefined) return undefined;
  }
  return current;
}

const MAX_DEPTH = 4;
const MAX_PATHS = 200;

/**
 * Every path a user could map in `record`, leaves first-seen order: nested keys as `a.b`, arrays of
 * objects as both `list[0].key` and `list[-1].key` (chat data usually wants the last message).
 */
export function listFieldPaths(view: RecordView): string[] {
  const out: string[] = [];
  const visit = (value: unknown, prefix: string, depth: number): void => {
    if (out.length >= MAX_PATHS) return;
    if (Array.isArray(value) && depth < MAX_DEPTH) {
      out.push(prefix);
      const objects = value.filter((item) => item !== null && typeof item === 'object' && !Array.isArray(item));
      if (objects.length > 0) {
        visit(objects[0], `${prefix}[0]`, depth + 1);
        if (value.length > 1) visit(value[value.length - 1], `${prefix}[-1]`, depth + 1);
      }
      return;
    }
    if (value !== null && typeof value === 'object' && depth < MAX_DEPTH) {
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const name = formatKey(key);
        visit(child, prefix && !name.startsWith('[') ? `${prefix}.${name}` : `${prefix}${name}`, depth + 1);
      }
      return;
    }
    if (prefix) out.push(prefix);
  };
  visit(view.record, '', 0);
  return out;
}

function formatKey(key: string): string {
  return /^[^.[\]]+$/.test(key) ? key : `[${JSON.stringify(key)}]`;
}
