/**
 * The data half of a chat audit: every training file read as conversations (messages, prompt/response or
 * instruction/input/output records) and every probe file as A/B preference items, each keeping its file and
 * line; bad records become dataset issues naming file and line, the rest is used.
 */
import { PolicyTraceError } from '../../errors';
import { expandDataPaths } from '../../data/paths';
import { readChatDataset, readPreferenceProbes, type ChatConversation, type ChatMessage, type PreferenceLabels, type PreferenceProbe } from '../../chat';
import type { DatasetSummaryEntry } from '../../report/schema';
import type { ResolvedSpec } from '../../spec/auditSpec';

/** A prompt the model answers itself (generation behaviours), with the data's own answer as the reference. */
export interface GenerationProbe {
  example: ChatConversation['example'];
  prompt: ChatMessage[];
  reference: string;
}

export interface ChatAuditData {
  conversations: ChatConversation[];
  /** A/B items (behaviour abChoice). */
  probes: PreferenceProbe[];
  /** Prompts to answer (generation behaviours): probe conversations up to their last assistant message. */
  generationProbes: GenerationProbe[];
  /** What the two A/B outcomes are called (from the first probe file's format). */
  labels: PreferenceLabels;
  summaries: DatasetSummaryEntry[];
  warnings: string[];
}

export async function loadChatAuditData(spec: ResolvedSpec, signal?: AbortSignal): Promise<ChatAuditData> {
  if (!spec.probe || spec.probe.length === 0) {
    const what = (spec.chat?.behaviour ?? 'abChoice') === 'abChoice' ? 'A/B items' : 'conversations whose prompts the model answers';
    throw new PolicyTraceError(`a chat audit needs probe files of ${what} (spec field "probe")`, { file: spec.specPath, field: 'probe' }, 'spec');
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
  const generationProbes: GenerationProbe[] = [];
  let labels: PreferenceLabels | undefined;
  const warnings: string[] = [];
  const generating = (spec.chat?.behaviour ?? 'abChoice') !== 'abChoice';
  for (const file of generating ? await expandDataPaths(spec.probe, spec.baseDir) : []) {
    signal?.throwIfAborted();
    const read = await readChatDataset(file, readOptions);
    for (const conversation of read.conversations) {
      const last = conversation.messages.map((m) => m.role).lastIndexOf('assistant');
      generationProbes.push({ example: conversation.example, prompt: conversation.messages.slice(0, last), reference: conversation.messages[last].content });
    }
    summaries.push(summary(file, 'probe', read.conversations.length, read.issueCount, read.issues));
  }
  for (const file of generating ? [] : await expandDataPaths(spec.probe, spec.baseDir)) {
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
  if (generating && generationProbes.length === 0) throw noData('probe conversations', summaries.filter((s) => s.role === 'probe'), spec.specPath);
  if (!generating && probes.length === 0) throw noData('A/B probes', summaries.filter((s) => s.role === 'probe'), spec.specPath);
  return { conversations, probes, generationProbes, labels: labels ?? { matching: 'matching', notMatching: 'not_matching' }, summaries, warnings };
}

function summary(file: string, role: 'train' | 'probe', used: number, skipped: number, issues: { file: string; line: number; message: string }[]): DatasetSummaryEntry {
  return { file, role, format: 'jsonl', records: used + skipped, used, skipped, issues: issues.map(({ file: f, line, message }) => ({ file: f, line, message })) };
}

function noData(what: string, summaries: DatasetSummaryEntry[], specPath: string): PolicyTraceError {
  const files = summaries.map((s) => `${s.file}: ${s.used} of ${s.records} usable${s.issues[0] ? ` (first problem at line ${s.issues[0].line}: ${s.issues[0].message})` : ''}`);
  return new PolicyTraceError(`no usable ${what}:\n  ${files.join('\n  ') || '(no files matched)'}`, { file: specPath }, 'no-data');
}
