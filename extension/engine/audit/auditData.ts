/**
 * Which examples are training lines and which are probes, from the spec: explicit probe files, a split
 * field (`trainSplit`/`probeSplit`), or — by default — a seeded held-out share of the training lines.
 * Each file is read once even when it serves both roles (the SMS demo keeps both splits in one file).
 */
import type { Example, ReadSummary } from '../data/example';
import { readDataset } from '../data/readDataset';
import { expandDataPaths } from '../data/paths';
import { PolicyTraceError } from '../errors';
import type { ResolvedSpec } from '../spec/auditSpec';

export interface AuditData {
  train: Example[];
  probes: Example[];
  summaries: { role: 'train' | 'probe'; summary: ReadSummary }[];
  /** How the probes were chosen, in one sentence for the report. */
  probeOrigin: string;
  warnings: string[];
}

/** Fields probes may lack: behaviour is measured on the model's decisions, so probes need only text. */
const OPTIONAL_FOR_PROBES = new Set(['fields.label', 'fields.group', 'fields.id', 'fields.split']);

export async function loadAuditData(spec: ResolvedSpec, signal?: AbortSignal): Promise<AuditData> {
  const trainFiles = await expandDataPaths(spec.train, spec.baseDir);
  const probeFiles = spec.probe ? await expandDataPaths(spec.probe, spec.baseDir) : [];
  const cache = new Map<string, Promise<{ examples: Example[]; summary: ReadSummary }>>();
  const warnings: string[] = [];
  const readOptions = {
    ...(spec.format && { format: spec.format }),
    ...(spec.header !== undefined && { header: spec.header }),
    ...(spec.options.maxRecordBytes && { maxRecordBytes: spec.options.maxRecordBytes }),
  };
  const read = (file: string) => {
    if (!cache.has(file)) cache.set(file, readDataset(file, spec.fields, readOptions));
    return cache.get(file)!;
  };
  // Unlabelled probe files are normal: drop a label/group/id/split mapping that no probe record has, and say so.
  const readProbeFile = async (file: string) => {
    const fields = { ...spec.fields };
    for (;;) {
      try {
        return await readDataset(file, fields, readOptions);
      } catch (error) {
        const field = error instanceof PolicyTraceError && error.code === 'data.unknownField' ? error.location.field : undefined;
        if (!field || !OPTIONAL_FOR_PROBES.has(field)) throw error;
        delete fields[field.slice('fields.'.length) as 'label' | 'group' | 'id' | 'split'];
        warnings.push(`${file}: no probe record has ${field} ("${spec.fields[field.slice('fields.'.length) as 'label']}"); probes are read without it.`);
      }
    }
  };
  const summaries: AuditData['summaries'] = [];
  const train: Example[] = [];
  for (const file of trainFiles) {
    signal?.throwIfAborted();
    const result = await read(file);
    summaries.push({ role: 'train', summary: result.summary });
    train.push(...filterSplit(result.examples, spec.trainSplit, spec, file));
  }
  if (probeFiles.length > 0) {
    const probes: Example[] = [];
    for (const file of probeFiles) {
      signal?.throwIfAborted();
      const isTrain = trainFiles.includes(file);
      const result = isTrain ? await read(file) : await readProbeFile(file);
      if (!isTrain) summaries.push({ role: 'probe', summary: result.summary });
      probes.push(...filterSplit(result.examples, spec.probeSplit, spec, file));
    }
    const origin = spec.probeSplit ? `records whose ${spec.fields.split} is "${spec.probeSplit}" in the probe files` : 'the probe files';
    return { train, probes, summaries, probeOrigin: origin, warnings };
  }
  // No probe files: a seeded held-out share of the training lines watches the behaviour. The lines stay in
  // the training set too (the model was trained on them); the share only chooses where behaviour is measured.
  const probes = train.filter((example) => heldOut(example.id, spec.options.seed, spec.options.holdout));
  return {
    train,
    probes,
    summaries,
    warnings,
    probeOrigin: `a seeded held-out ${Math.round(spec.options.holdout * 100)}% of the training lines (seed ${spec.options.seed})`,
  };
}

function filterSplit(examples: Example[], wanted: string | undefined, spec: ResolvedSpec, file: string): Example[] {
  if (wanted === undefined) return examples;
  if (!spec.fields.split) {
    throw new PolicyTraceError(`the spec selects split "${wanted}" but fields.split is not set`, { file: spec.specPath, field: 'fields.split' }, 'spec');
  }
  const kept = examples.filter((example) => example.split === wanted);
  if (kept.length === 0 && examples.length > 0) {
    const seen = [...new Set(examples.map((example) => example.split ?? '(none)'))].slice(0, 8).join(', ');
    throw new PolicyTraceError(`no record has ${spec.fields.split} = "${wanted}" (values seen: ${seen})`, { file, field: `fields.split` }, 'spec');
  }
  return kept;
}

/** Deterministic per-id choice (FNV-1a of seed and id), so adding lines does not reshuffle the probes. */
function heldOut(id: string, seed: number, share: number): boolean {
  let hash = 0x811c9dc5 ^ seed;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 4294967296 < share;
}
