/**
 * Loads the real SMS spam MLP head and its penultimate features (made once by
 * scripts/fixtures/attribution/make_sms_head_features.py) with provenance read from the real JSONL in
 * ../shared/external, so reported lines lead back to file:line and byte ranges.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Example } from '../../../extension/engine/data/example';
import type { AttributionInput, HeadWeights } from '../../../extension/engine/attribution/types';

const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/attribution/sms_head');
export const SMS_JSONL = path.resolve(__dirname, '../../../../../shared/external/models/sms_spam_embedding_mlp/sms_spam_with_split.jsonl');

interface Meta {
  dim: number;
  W: number[];
  b: number[];
  train: { jsonlLines: number[]; labels: number[]; accuracy: number };
  probe: { jsonlLines: number[]; labels: number[]; accuracy: number };
}

export interface SmsData {
  head: HeadWeights;
  trainFeatures: Float32Array;
  trainLabels: Int32Array;
  trainExamples: Example[];
  probeFeatures: Float32Array;
  probeTexts: string[];
}

function readFloats(file: string): Float32Array {
  const bytes = fs.readFileSync(path.join(FIXTURE, file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

/** Every JSONL line as an Example with its exact byte range. */
function readJsonl(file: string): Example[] {
  const bytes = fs.readFileSync(file);
  const examples: Example[] = [];
  let start = 0;
  for (let line = 1; start < bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const record = JSON.parse(bytes.subarray(start, end).toString('utf8')) as Record<string, unknown>;
    examples.push({
      id: `sms:${String(record.row)}`, file, line, endLine: line, byteOffset: start, byteLength: end - start,
      text: String(record.text), label: String(record.label), split: String(record.split), record,
    });
    start = end + 1;
  }
  return examples;
}

export function loadSms(): SmsData {
  const meta = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'meta.json'), 'utf8')) as Meta;
  const all = readJsonl(SMS_JSONL);
  return {
    head: { W: Float32Array.from(meta.W), b: Float32Array.from(meta.b), kind: 'softmax' },
    trainFeatures: readFloats('train_features.f32'),
    trainLabels: Int32Array.from(meta.train.labels),
    trainExamples: meta.train.jsonlLines.map((line) => all[line - 1]),
    probeFeatures: readFloats('probe_features.f32'),
    probeTexts: meta.probe.jsonlLines.map((line) => all[line - 1].text),
  };
}

export const hasWord = (text: string, word: string): boolean => text.toLowerCase().split(/\s+/).includes(word);

export function smsInput(data: SmsData, policyId: string, covered: number[], actionClass: number, head = data.head): AttributionInput {
  return {
    head,
    train: { features: data.trainFeatures, dim: 32, labels: data.trainLabels, examples: data.trainExamples },
    probes: { features: data.probeFeatures },
    policy: { policyId, coveredProbes: covered, actionClass },
  };
}
