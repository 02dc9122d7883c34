/** Report rows that point at a dataset record: its exact place, and a one-line snippet for display. */
import type { Example } from '../data/example';
import type { SourceRef } from './schema';

export function sourceRefOf(example: Example): SourceRef {
  return {
    file: example.file,
    line: example.line,
    endLine: example.endLine,
    byteOffset: example.byteOffset,
    byteLength: example.byteLength,
    id: example.id,
  };
}

/** Whitespace collapsed, cut to `maxChars` with an ellipsis. */
export function snippetOf(text: string, maxChars = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= maxChars ? flat : `${flat.slice(0, maxChars - 1)}…`;
}
