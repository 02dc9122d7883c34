/**
 * Forward-pass throughput through the worker runner: the SMS model over its 5,574 rows (featurization
 * included, as an audit runs it) and a larger synthetic MLP, with peak RSS of the whole process (the
 * worker thread's ORT memory included).
 */
import * as path from 'node:path';
import { readDataset } from '../extension/engine/data/readDataset';
import { createFeaturizer } from '../extension/engine/featurize/createFeaturizer';
import type { Feeds } from '../extension/engine/runner/feeds';
import { ModelRunner } from '../extension/engine/runner/modelRunner';
import { promises as fs } from 'node:fs';
import { buildSyntheticClassifier, mulberry32 } from './syntheticModel';
import type { BenchRow } from './row';

export async function smsForwardRow(sharedDir: string): Promise<BenchRow> {
  const dir = path.join(sharedDir, 'external/models/sms_spam_embedding_mlp');
  const { examples } = await readDataset(path.join(dir, 'sms_spam_with_split.jsonl'), { text: 'text', label: 'label' });
  const featurizer = await createFeaturizer({ kind: 'wordVocab', vocab: path.join(dir, 'vocab.json'), length: 100, inputName: 'input' }, { baseDir: dir });
  const runner = await ModelRunner.start({ modelBytes: await fs.readFile(path.join(dir, 'network.onnx')), threads: 1 });
  try {
    const batches = function* (): Generator<Feeds> {
      for (let i = 0; i < examples.length; i += 256) yield featurizer.encode(examples.slice(i, i + 256));
    };
    await runner.run(batches()); // warm-up: first-run allocations are not throughput
    const start = performance.now();
    await runner.run(batches());
    const seconds = (performance.now() - start) / 1000;
    return { name: 'forward.sms', examples: examples.length, examplesPerSecond: round(examples.length / seconds), seconds: round(seconds, 3), threads: 1, peakRssMiB: peakRssMiB() };
  } finally {
    await runner.dispose();
  }
}

export async function syntheticForwardRow(): Promise<BenchRow> {
  const options = { inputWidth: 512, hidden: 1024, depth: 3, classes: 16 };
  const runner = await ModelRunner.start({ modelBytes: buildSyntheticClassifier(options), threads: 1 });
  const rows = 8192;
  const batch = 512;
  const random = mulberry32(3);
  try {
    const batches = function* (): Generator<Feeds> {
      for (let i = 0; i < rows; i += batch) {
        yield { input: { type: 'float32', dims: [batch, options.inputWidth], data: Float32Array.from({ length: batch * options.inputWidth }, random) } };
      }
    };
    await runner.run(batches());
    const start = performance.now();
    await runner.run(batches());
    const seconds = (performance.now() - start) / 1000;
    const flopsPerExample = 2 * (options.inputWidth * options.hidden + (options.depth - 1) * options.hidden * options.hidden + options.hidden * options.classes);
    return {
      name: 'forward.synthetic-mlp',
      model: `${options.inputWidth}→${options.hidden}×${options.depth}→${options.classes}`,
      examples: rows,
      examplesPerSecond: round(rows / seconds),
      gflopsPerSecond: round((flopsPerExample * rows) / seconds / 1e9, 2),
      seconds: round(seconds, 3),
      threads: 1,
      peakRssMiB: peakRssMiB(),
    };
  } finally {
    await runner.dispose();
  }
}

export function peakRssMiB(): number {
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

export function round(value: number, digits = 0): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
