/**
 * Which record fields feed the model (text), and which carry the gold label, id, group and split.
 * A compiled mapping turns one parsed record into Example fields and says what was missing, and it
 * remembers which paths matched anywhere, so a typo in a path becomes one error rather than one
 * issue per record.
 */
import { PolicyTraceError } from '../errors';
import { listFieldPaths, parseFieldPath, resolveFieldPath, type PathSegment, type RecordView } from './fieldPath';

export interface FieldMapping {
  text: string | string[];
  label?: string;
  id?: string;
  group?: string;
  split?: string;
  numeric?: string[];
}

/** The Example fields one record yields, plus the problems found (the caller decides skip vs keep). */
export interface MappedFields {
  text?: string;
  label?: string;
  id?: string;
  group?: string;
  split?: string;
  numeric?: number[];
  /** Set when the record cannot be used (no text): the record is skipped with this message. */
  fatal?: string;
  /** Problems that leave the record usable (missing label, non-numeric column): reported, record kept. */
  warnings: string[];
}

interface CompiledPath {
  /** Spec key for messages, e.g. `fields.text` or `fields.numeric[2]`. */
  role: string;
  path: string;
  segments: PathSegment[];
  matched: boolean;
}

export class CompiledMapping {
  private readonly text: CompiledPath[];
  private readonly label?: CompiledPath;
  private readonly id?: CompiledPath;
  private readonly group?: CompiledPath;
  private readonly split?: CompiledPath;
  private readonly numeric: CompiledPath[];
  private firstRecord?: RecordView;

  constructor(mapping: FieldMapping) {
    const texts = Array.isArray(mapping.text) ? mapping.text : [mapping.text];
    if (texts.length === 0) throw new PolicyTraceError('the field mapping names no text field', { field: 'fields.text' }, 'data.badMapping');
    this.text = texts.map((path, i) => compile(texts.length > 1 ? `fields.text[${i}]` : 'fields.text', path));
    this.label = mapping.label === undefined ? undefined : compile('fields.label', mapping.label);
    this.id = mapping.id === undefined ? undefined : compile('fields.id', mapping.id);
    this.group = mapping.group === undefined ? undefined : compile('fields.group', mapping.group);
    this.split = mapping.split === undefined ? undefined : compile('fields.split', mapping.split);
    this.numeric = (mapping.numeric ?? []).map((path, i) => compile(`fields.numeric[${i}]`, path));
  }

  /** Every non-`$N` path the mapping names (used to recognise a CSV header row). */
  namedColumns(): string[] {
    return this.all().map((p) => p.path).filter((p) => !/^\$\d+$/.test(p));
  }

  apply(view: RecordView): MappedFields {
    this.firstRecord ??= view;
    const out: MappedFields = { warnings: [] };
    const texts: string[] = [];
    for (const p of this.text) {
      const value = this.take(view, p);
      if (value === undefined || value === null) {
        out.fatal ??= `missing text field "${p.path}"`;
      } else if (typeof value === 'object') {
        out.fatal ??= `text field "${p.path}" is ${Array.isArray(value) ? 'an array' : 'an object'}, not text`;
      } else {
        texts.push(String(value));
      }
    }
    if (!out.fatal) out.text = texts.join('\n');
    if (this.label) {
      const value = this.take(view, this.label);
      if (value === undefined || value === null) out.warnings.push(`missing label field "${this.label.path}" (example kept without a label)`);
      else if (typeof value === 'object') out.warnings.push(`label field "${this.label.path}" is not a string, number or boolean (example kept without a label)`);
      else out.label = String(value);
    }
    out.id = this.scalar(view, this.id);
    out.group = this.scalar(view, this.group);
    out.split = this.scalar(view, this.split);
    if (this.numeric.length > 0) out.numeric = this.numeric.map((p) => this.number(view, p, out.warnings));
    return out;
  }

  /**
   * Throws when a mapped path matched no record at all: almost always a typo or the wrong file, and one
   * message naming the path and the fields that do exist beats thousands of per-record issues.
   */
  assertAllPathsMatched(file: string): void {
    if (!this.firstRecord) return;
    for (const p of this.all()) {
      if (p.matched) continue;
      const available = listFieldPaths(this.firstRecord);
      throw new PolicyTraceError(
        `no record has the field "${p.path}" (${p.role}); fields in the first record: ${available.join(', ') || '(none)'}`,
        { file, field: p.role },
        'data.unknownField',
      );
    }
  }

  private all(): CompiledPath[] {
    const optional = [this.label, this.id, this.group, this.split].filter((p): p is CompiledPath => p !== undefined);
    return [...this.text, ...optional, ...this.numeric];
  }

  private take(view: RecordView, p: CompiledPath): unknown {
    const value = resolveFieldPath(view, p.path, p.segments);
    if (value !== undefined) p.matched = true;
    return value;
  }

  private scalar(view: RecordView, p: CompiledPath | undefined): string | undefined {
    if (!p) return undefined;
    const value = this.take(view, p);
    return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
  }

  /** Non-numeric values become NaN with a warning; the numeric featurizer refuses NaN with file:line. */
  private number(view: RecordView, p: CompiledPath, warnings: string[]): number {
    const value = this.take(view, p);
    const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(parsed)) {
      warnings.push(`numeric field "${p.path}" is ${value === undefined ? 'missing' : `not a number (${JSON.stringify(value)})`}`);
      return NaN;
    }
    return parsed;
  }
}

function compile(role: string, path: string): CompiledPath {
  if (typeof path !== 'string' || path.length === 0) {
    throw new PolicyTraceError('field path must be a non-empty string', { field: role }, 'data.badMapping');
  }
  return { role, path, segments: parseFieldPath(path), matched: false };
}
