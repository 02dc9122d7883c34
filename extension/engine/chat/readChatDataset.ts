/**
 * Reads a supervised fine-tuning file (JSONL, or one JSON array) into conversations with provenance. The
 * format is detected per record, so a file mixing messages and prompt/response lines reads as a whole.
 * A bad record becomes a ReadIssue (file, line, what is wrong) and the rest is kept; with `strict` the first
 * bad record is thrown as a PolicyTraceError naming the file, line and field instead.
 */
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';
import type { Example, ReadIssue } from '../data/example';
import { DEFAULT_MAX_ISSUES, IssueLog } from '../data/issueLog';
import { parseChatRecord } from './chatFormats';
import { openJsonRecords, type JsonRecord } from './jsonRecords';
import { promptText, type ChatConversation } from './types';

export interface ChatReadOptions {
  /** Throw on the first unusable record instead of reporting it and reading on. */
  strict?: boolean;
  /** Issues stored (default 200); `issueCount` still counts all. */
  maxIssues?: number;
  maxRecordBytes?: number;
}

export interface ChatDataset {
  conversations: ChatConversation[];
  issues: ReadIssue[];
  /** Every issue found, including those beyond `maxIssues`. */
  issueCount: number;
}

export async function readChatDataset(file: string, options: ChatReadOptions = {}): Promise<ChatDataset> {
  const absolute = path.resolve(file);
  const source = await openJsonRecords(absolute, options.maxRecordBytes);
  const log = new IssueLog(absolute, options.maxIssues ?? DEFAULT_MAX_ISSUES);
  const conversations: ChatConversation[] = [];
  let records = 0;
  for await (const record of source.records) {
    records++;
    for (const warning of record.warnings) log.add(record.line, warning);
    const problem = (message: string, field?: string): void => {
      if (options.strict) throw new PolicyTraceError(message, { file: absolute, line: record.line, ...(field && { field }) }, 'chat.record');
      log.add(record.line, field ? `${message} (field ${field}); skipped` : `${message}; skipped`);
    };
    if (!record.value) {
      problem(record.problem?.replace(/; skipped$/, '') ?? 'unreadable record');
      continue;
    }
    const parsed = parseChatRecord(record.value, record);
    if ('problem' in parsed) {
      problem(parsed.problem, parsed.field);
      continue;
    }
    const example = exampleOf(record, record.value, absolute, promptText(parsed.messages));
    conversations.push({ example, format: parsed.format, messages: parsed.messages });
  }
  if (records === 0) log.add(1, 'no records: the file is empty or holds only blank lines');
  return { conversations, issues: log.issues, issueCount: log.total };
}

/** The Example every chat record carries: its place in the file, an id, and the text concepts are mined from. */
export function exampleOf(record: JsonRecord, value: Record<string, unknown>, file: string, text: string): Example {
  const id = typeof value.id === 'string' || typeof value.id === 'number' ? String(value.id) : `${path.basename(file)}:${record.line}`;
  const example: Example = {
    id,
    file,
    line: record.line,
    endLine: record.endLine,
    byteOffset: record.byteOffset,
    byteLength: record.byteLength,
    text,
    record: value,
  };
  for (const key of ['group', 'source', 'category'] as const) {
    if (typeof value[key] === 'string') {
      example.group = value[key] as string;
      break;
    }
  }
  if (typeof value.split === 'string') example.split = value.split;
  return example;
}
