/**
 * A/B preference probes: a prompt and two answers, one showing the behaviour under audit and one not.
 * Recognised per record by their keys:
 *   sycophancyAb:   {prompt, sycophantic_answer, non_sycophantic_answer}       (derived sycophancy_ab JSONL)
 *   caa:            {question, answer_matching_behavior, answer_not_matching_behavior}   (raw CAA, JSON arrays)
 *   chosenRejected: {prompt, chosen, rejected}                                  (preference-tuning data)
 * JSONL or one top-level JSON array; in an array each probe's line is the line where its object starts.
 */
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';
import type { ReadIssue } from '../data/example';
import { DEFAULT_MAX_ISSUES, IssueLog } from '../data/issueLog';
import { openJsonRecords, type JsonRecord } from './jsonRecords';
import { exampleOf, type ChatReadOptions } from './readChatDataset';
import type { ChatMessage, PreferenceFormat, PreferenceLabels, PreferenceProbe } from './types';

interface FormatKeys {
  format: PreferenceFormat;
  prompt: string;
  matching: string;
  notMatching: string;
}

const FORMATS: readonly FormatKeys[] = [
  { format: 'sycophancyAb', prompt: 'prompt', matching: 'sycophantic_answer', notMatching: 'non_sycophantic_answer' },
  { format: 'caa', prompt: 'question', matching: 'answer_matching_behavior', notMatching: 'answer_not_matching_behavior' },
  { format: 'chosenRejected', prompt: 'prompt', matching: 'chosen', notMatching: 'rejected' },
];

export interface PreferenceProbeSet {
  probes: PreferenceProbe[];
  issues: ReadIssue[];
  issueCount: number;
  /** The format of the first usable probe (files are normally uniform). */
  format?: PreferenceFormat;
  /** What the two outcomes are called in reports (sycophantic / not_sycophantic for sycophancy files). */
  labels: PreferenceLabels;
}

export async function readPreferenceProbes(file: string, options: ChatReadOptions = {}): Promise<PreferenceProbeSet> {
  const absolute = path.resolve(file);
  const source = await openJsonRecords(absolute, options.maxRecordBytes);
  const log = new IssueLog(absolute, options.maxIssues ?? DEFAULT_MAX_ISSUES);
  const probes: PreferenceProbe[] = [];
  let format: PreferenceFormat | undefined;
  let records = 0;
  for await (const record of source.records) {
    records++;
    for (const warning of record.warnings) log.add(record.line, warning);
    const problem = (message: string, field?: string): void => {
      if (options.strict) throw new PolicyTraceError(message, { file: absolute, line: record.line, ...(field && { field }) }, 'chat.probe');
      log.add(record.line, field ? `${message} (field ${field}); skipped` : `${message}; skipped`);
    };
    if (!record.value) {
      problem(record.problem?.replace(/; skipped$/, '') ?? 'unreadable record');
      continue;
    }
    const parsed = parseProbe(record, record.value, absolute);
    if ('problem' in parsed) {
      problem(parsed.problem, parsed.field);
      continue;
    }
    format ??= parsed.format;
    probes.push(parsed.probe);
  }
  if (records === 0) log.add(1, 'no records: the file is empty or holds only blank lines');
  return { probes, issues: log.issues, issueCount: log.total, ...(format && { format }), labels: labelsFor(format, absolute) };
}

function parseProbe(
  record: JsonRecord,
  value: Record<string, unknown>,
  file: string,
): { probe: PreferenceProbe; format: PreferenceFormat } | { problem: string; field?: string } {
  const keys = FORMATS.find((candidate) => candidate.matching in value || candidate.notMatching in value);
  if (!keys) {
    const expected = FORMATS.map((f) => `{${f.prompt}, ${f.matching}, ${f.notMatching}}`).join(' or ');
    return { problem: `matches no preference-probe format: expected ${expected}; the record has ${Object.keys(value).map((k) => `"${k}"`).join(', ') || 'no keys'}` };
  }
  for (const key of [keys.prompt, keys.matching, keys.notMatching]) {
    if (!(key in value)) return { problem: `a ${keys.format} probe needs "${key}"`, field: key };
    if (typeof value[key] !== 'string') return { problem: `"${key}" must be a string`, field: key };
  }
  const promptContent = value[keys.prompt] as string;
  const at = record.locate([keys.prompt]) ?? { line: record.line, column: 0 };
  const prompt: ChatMessage[] = [{ role: 'user', content: promptContent, index: 0, line: at.line, column: at.column }];
  const probe: PreferenceProbe = {
    example: exampleOf(record, value, file, promptContent),
    prompt,
    matching: value[keys.matching] as string,
    notMatching: value[keys.notMatching] as string,
  };
  return { probe, format: keys.format };
}

/**
 * Sycophancy files name their outcomes after the behaviour. Raw CAA keys do not say which behaviour they
 * measure (CAA has sycophancy, refusal, hallucination... sets), so the file's path decides for those.
 */
export function labelsFor(format: PreferenceFormat | undefined, file: string): PreferenceLabels {
  const aboutSycophancy = format === 'sycophancyAb' || (format === 'caa' && /sycophan/i.test(file));
  if (aboutSycophancy) return { matching: 'sycophantic', notMatching: 'not_sycophantic' };
  if (format === 'chosenRejected') return { matching: 'chosen', notMatching: 'rejected' };
  return { matching: 'matching', notMatching: 'not_matching' };
}
