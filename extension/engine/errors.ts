/**
 * Every user-facing failure carries where it happened (file and line, or op and node), so a message can
 * always be acted on. Engine code throws these; the CLI and the extension print `message` as is.
 */
export interface ErrorLocation {
  file?: string;
  /** 1-based line of the record in `file`. */
  line?: number;
  /** ONNX node name and op type, for model errors. */
  node?: string;
  op?: string;
  /** Field path or spec key, e.g. `fields.text` or `messages[-1].content`. */
  field?: string;
}

export class PolicyTraceError extends Error {
  constructor(
    message: string,
    readonly location: ErrorLocation = {},
    readonly code: string = 'error',
  ) {
    super(formatWithLocation(message, location));
    this.name = 'PolicyTraceError';
  }
}

export function formatLocation(location: ErrorLocation): string {
  const parts: string[] = [];
  if (location.file) parts.push(location.line ? `${location.file}:${location.line}` : location.file);
  if (location.op || location.node) parts.push(`op ${location.op ?? '?'} at node '${location.node ?? '?'}'`);
  if (location.field) parts.push(`field ${location.field}`);
  return parts.join(', ');
}

function formatWithLocation(message: string, location: ErrorLocation): string {
  const where = formatLocation(location);
  return where ? `${where}: ${message}` : message;
}

/** Turns anything thrown into a message fit for a user (no stack traces for expected failures). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
