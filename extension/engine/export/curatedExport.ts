/**
 * Curated export: copies of the training files without the flagged records (or a JSONL copy with a weight
 * field), plus `exclusions.json` listing what was left out and why. The user's files are only ever read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Example } from '../data/example';
import { PolicyTraceError } from '../errors';
import { planOutputs } from './outputPaths';
import { removeRecords } from './recordRemoval';

export interface FlaggedRecord {
  file: string;
  /** 1-based first line of the record. */
  line: number;
  id: string;
  byteOffset: number;
  byteLength: number;
  /** Why it is excluded, e.g. "top supporter of policy P3 (Δadherence −0.04)". */
  reason: string;
}

export interface ExportedFile {
  source: string;
  output: string;
  /** Records left out (copy mode) or given the flagged weight (weighted mode). */
  flagged: number;
  bytes: number;
}

export interface CuratedExportResult {
  outDir: string;
  files: ExportedFile[];
  exclusionsPath: string;
}

export const EXCLUSIONS_FILE = 'exclusions.json';

function writeExclusions(outDir: string, flagged: FlaggedRecord[]): string {
  const exclusionsPath = path.join(outDir, EXCLUSIONS_FILE);
  const entries = flagged.map(({ file, line, id, reason }) => ({ file, line, id, reason }));
  fs.writeFileSync(exclusionsPath, `${JSON.stringify(entries, null, 2)}\n`);
  return exclusionsPath;
}

function groupByFile(flagged: FlaggedRecord[]): Map<string, FlaggedRecord[]> {
  const byFile = new Map<string, FlaggedRecord[]>();
  for (const record of flagged) {
    const key = path.resolve(record.file);
    byFile.set(key, [...(byFile.get(key) ?? []), record]);
  }
  return byFile;
}

function readSource(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new PolicyTraceError(`cannot read training file: ${(error as Error).message}`, { file }, 'export');
  }
}

/**
 * Writes a copy of every file in `files` (default: the files the flagged records come from) into `outDir`,
 * mirroring their layout, each without its flagged records. Refuses to write over an input.
 */
export function exportCuratedCopy(options: { outDir: string; flagged: FlaggedRecord[]; files?: string[] }): CuratedExportResult {
  const byFile = groupByFile(options.flagged);
  const sources = [...new Set([...(options.files ?? []).map((f) => path.resolve(f)), ...byFile.keys()])];
  if (sources.length === 0) throw new PolicyTraceError('nothing to export: no files and no flagged records', {}, 'export');
  const plan = planOutputs(sources, options.outDir);
  const outputs = sources.map((source) => ({ source, result: removeRecords(readSource(source), byFile.get(source) ?? []) }));
  // Everything is checked before anything is written, so a stale record never leaves a half-written folder.
  const files: ExportedFile[] = [];
  for (const { source, result } of outputs) {
    const output = plan.get(source)!;
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, result.bytes);
    files.push({ source, output, flagged: result.removed, bytes: result.bytes.length });
  }
  return { outDir: path.resolve(options.outDir), files, exclusionsPath: writeExclusions(options.outDir, options.flagged) };
}

/**
 * Writes one JSONL file per source file (`name.jsonl`) with every example's record plus `weightField`
 * (flaggedWeight for flagged lines, 1 otherwise), for trainers that take per-example weights.
 */
export function exportWeightedJsonl(options: {
  outDir: string;
  examples: Example[];
  flagged: FlaggedRecord[];
  weightField?: string;
  flaggedWeight?: number;
}): CuratedExportResult {
  const weightField = options.weightField ?? 'weight';
  const flaggedWeight = options.flaggedWeight ?? 0;
  const flaggedKeys = new Set(options.flagged.map((r) => `${path.resolve(r.file)}\u0000${r.line}`));
  const bySource = new Map<string, Example[]>();
  for (const example of options.examples) {
    const key = path.resolve(example.file);
    bySource.set(key, [...(bySource.get(key) ?? []), example]);
  }
  if (bySource.size === 0) throw new PolicyTraceError('nothing to export: no examples', {}, 'export');
  const plan = planOutputs([...bySource.keys()], options.outDir, (base) => `${base.replace(/\.[^.]*$/, '')}.jsonl`);
  const texts = new Map<string, { text: string; flagged: number }>();
  for (const [source, examples] of bySource) {
    let flagged = 0;
    const lines = examples.map((example) => {
      if (Object.prototype.hasOwnProperty.call(example.record, weightField)) {
        throw new PolicyTraceError(`record already has a "${weightField}" field; pass another weightField`, { file: source, line: example.line }, 'export');
      }
      const isFlagged = flaggedKeys.has(`${source}\u0000${example.line}`);
      if (isFlagged) flagged++;
      return JSON.stringify({ ...example.record, [weightField]: isFlagged ? flaggedWeight : 1 });
    });
    texts.set(source, { text: lines.map((line) => `${line}\n`).join(''), flagged });
  }
  const files: ExportedFile[] = [];
  for (const [source, { text, flagged }] of texts) {
    const output = plan.get(source)!;
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, text);
    files.push({ source, output, flagged, bytes: Buffer.byteLength(text) });
  }
  return { outDir: path.resolve(options.outDir), files, exclusionsPath: writeExclusions(options.outDir, options.flagged) };
}
