/**
 * Reads one dataset file into Examples with exact provenance. Streaming underneath: memory beyond the
 * examples themselves is one chunk plus one record. Bad records are reported (ReadIssue) and skipped,
 * never thrown; what is thrown (PolicyTraceError) is what makes the whole file unusable: missing file,
 * a directory, binary or UTF-16 content, or a mapped field that no record has.
 */
import * as path from 'node:path';
import type { Example, ReadSummary } from './example';
import { CompiledMapping, type FieldMapping } from './fieldMapping';
import { DEFAULT_MAX_ISSUES, IssueLog } from './issueLog';
import { openRecordSource, type SourceOptions } from './recordSource';

export interface ReadOptions extends SourceOptions {
  /** Issues stored per file (default 200); all are still counted in summary.issueCount. */
  maxIssues?: number;
}

export interface ReadResult {
  examples: Example[];
  summary: ReadSummary;
}

export async function readDataset(file: string, mapping: FieldMapping, options: ReadOptions = {}): Promise<ReadResult> {
  const absolute = path.resolve(file);
  const compiled = new CompiledMapping(mapping);
  const source = await openRecordSource(absolute, compiled.namedColumns(), options);
  const log = new IssueLog(absolute, options.maxIssues ?? DEFAULT_MAX_ISSUES);
  const examples: Example[] = [];
  const basename = path.basename(absolute);
  let records = 0;
  for await (const record of source.records) {
    records++;
    for (const warning of record.warnings) log.add(record.line, warning);
    if (!record.view) {
      log.add(record.line, record.problem ?? 'unreadable record; skipped');
      continue;
    }
    const fields = compiled.apply(record.view);
    for (const warning of fields.warnings) log.add(record.line, warning);
    if (fields.fatal !== undefined || fields.text === undefined) {
      log.add(record.line, `${fields.fatal ?? 'no text'}; skipped`);
      continue;
    }
    const example: Example = {
      id: fields.id ?? `${basename}:${record.line}`,
      file: absolute,
      line: record.line,
      endLine: record.endLine,
      byteOffset: record.byteOffset,
      byteLength: record.byteLength,
      text: fields.text,
      record: record.view.record,
    };
    if (fields.label !== undefined) example.label = fields.label;
    if (fields.group !== undefined) example.group = fields.group;
    if (fields.split !== undefined) example.split = fields.split;
    if (fields.numeric !== undefined) example.numeric = fields.numeric;
    examples.push(example);
  }
  if (records === 0) {
    log.add(1, source.size === 0 ? 'the file is empty: no records' : 'no records: the file holds only blank lines or a header');
  }
  compiled.assertAllPathsMatched(absolute);
  const summary: ReadSummary = {
    file: absolute,
    format: source.format,
    records,
    used: examples.length,
    skipped: records - examples.length,
    issues: log.issues,
    issueCount: log.total,
    bytes: source.size,
  };
  if (source.header.names) summary.header = source.header.names;
  if (source.quoting) summary.quoting = source.quoting;
  return { examples, summary };
}
