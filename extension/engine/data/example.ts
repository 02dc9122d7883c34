/**
 * One training or probe example, with the exact place it came from. Provenance is the product:
 * every score PolicyTrace shows must lead back to `file:line`.
 */
export interface Example {
  /** Stable id: the record's id field if mapped, else `${basename}:${line}`. */
  id: string;
  /** Absolute path of the source file. */
  file: string;
  /** 1-based line of the first line of the record. */
  line: number;
  /** 1-based line of the last line of the record (> line for CSV records with quoted newlines). */
  endLine: number;
  /** Byte offset of the record's first byte in the file. */
  byteOffset: number;
  /** Byte length of the record (without its line terminator). */
  byteLength: number;
  /** The text the model sees (text fields joined), '' for purely numeric inputs. */
  text: string;
  /** Gold label as a string (class name or id), when the data has one. */
  label?: string;
  /** Optional group/source field used to sum attribution by group. */
  group?: string;
  /** Optional split field value ("train", "test", ...). */
  split?: string;
  /** Numeric feature vector for tabular models (columns in spec order). */
  numeric?: number[];
  /** The parsed record (JSON object or CSV row keyed by header), for structured-field concepts. */
  record: Record<string, unknown>;
}

/** A record that could not be used, reported to the user and skipped. */
export interface ReadIssue {
  file: string;
  line: number;
  message: string;
}

export interface ReadSummary {
  file: string;
  format: 'jsonl' | 'csv' | 'tsv' | 'text';
  records: number;
  used: number;
  skipped: number;
  issues: ReadIssue[];
  /** Issues found in all; `issues` keeps only the first ones (a capped list), this keeps counting. */
  issueCount?: number;
  /** CSV/TSV: the header row's column names, when the file has one. */
  header?: string[];
  /** CSV/TSV: how quotes were treated and why (TSV quoting is detected per file). */
  quoting?: string;
  /** File size in bytes. */
  bytes?: number;
}
