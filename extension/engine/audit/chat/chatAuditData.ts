/**
 * The data half of a chat audit: every training file read as conversations (messages, prompt/response or
 * instruction/input/output records) and every probe file as A/B preference items, each keeping its file and
 * line; bad records become dataset issues naming file and line, the rest is used.
 */
import { PolicyTraceError } from '../../errors';
import { expandDataPaths } from '../../data/paths';
import { readChatDataset, readPreferenceProbes, type ChatConversation, type PreferenceLabels, type PreferenceProbe } from '../../chat';
import type { DatasetSummaryEntry } from '../../report/schema';
import type { ResolvedSpec } from '../../spec/auditSpec';

export interface ChatAuditData {
  conversations: ChatConversation[];
  probes: PreferenceProbe[];
  /** What the two A/B outcomes are called (from the first probe file's format). */
  labels: PreferenceLabels;
  summaries: DatasetSummaryEntry[];
  warnings: string[];
}

export async function loadChatAuditData(spec: ResolvedSpec, signal?: AbortSignal): Promise<ChatAuditData> {
  if (!spec.probe || spec.probe.length === 0) {
    throw new PolicyTraceError('a chat audit needs probe files of A/B items (spec field "probe")', { file: spec.specPath, field: 'probe' }, 'spec');
  }
  const readOptions = spec.options.maxRecordBytes !== undefined ? { maxRecordBytes: spec.options.maxRecordBytes } : {};
  const summaries: DatasetSummaryEntry[] = [];
  const conversations: ChatConversation[] = [];
  for (const file of await expandDataPaths(spec.train, spec.baseDir)) {
    signal?.throwIfAborted();
    const read = await readChatDataset(file, readOptions);
    conversations.push(...read.conversations);
    summaries.push(summary(file, 'train', read.conversations.length, read.issueCount, read.issues));
  }
  const probes: PreferenceProbe[] = [];
  let labels: PreferenceLabels | undefined;
  const warnings: string[] = [];
  for (const file of await expandDataPaths(spec.probe, spec.baseDir)) {
    signal?.throwIfAborted();
    const read = await readPreferenceProbes(file, readOptions);
    probes.push(...read.probes);
    summaries.push(summary(file, 'probe', read.probes.length, read.issueCount, read.issues));
    if (!labels) labels = read.labels;
    else if (read.probes.length > 0 && (read.labels.matching !== labels.matching || read.labels.notMatching !== labels.notMatching)) {
      warnings.push(`${file}: its outcomes (${read.labels.matching} / ${read.labels.notMatching}) are reported as ${labels.matching} / ${labels.notMatching}, the first probe file's.`);
    }
  }
  for (const entry of summaries) {
    if (entry.skipped > 0) warnings.push(`${entry.file}: ${entry.skipped} of ${entry.records} records skipped (see the dataset issues).`);
  }
  if (conversations.length === 0) throw noData('training conversations', summaries.filter((s) => s.role === 'train'), spec.specPath);
  if (probes.length === 0) throw noData('A/B probes', summaries.filter((s) => s.role === 'probe'), spec.specPath);
  return { conversations, probes, labels: labels!, summaries, warnings };
}

function summary(file: string, role: 'train' | 'probe', used: number, skipped: number, issues: { file: string; line: number; message: string }[]): DatasetSummaryEntry {
  return { file, role, format: 'jsonl', records: used + skipped, used, skipped, issues: issues.map(({ file: f, line, message }) => ({ file: f, line, message })) };
}

function noData(what: string, summaries: DatasetSummaryEntry[], specPath: string): PolicyTraceError {
  const files = summaries.map((s) => `${s.file}: ${s.used} of ${s.records} usable${s.issues[0] ? ` (first problem at line ${s.issues[0].line}: ${s.issues[0].message})` : ''}`);
  return new PolicyTraceError(`no usable ${what}:\n  ${files.join('\n  ') || '(no files matched)'}`, { file: specPath }, 'no-data');
}
