/**
 * Issue 5 rows: gradient featurization (forward + backward + LoGra projection in one ORT graph) vs a plain
 * forward pass of the same model, measured in the same run, on the transformer fixture and the SMS model.
 */
import * as path from 'node:path';
import { benchmarkGradientFeaturization } from '../extension/engine/autodiff/benchmark';
import { peakRssMiB, round } from './forwardThroughput';
import type { BenchRow } from './row';

export async function gradientRows(repoRoot: string, sharedDir: string): Promise<BenchRow[]> {
  const models = [
    ['transformer-fixture', path.join(repoRoot, 'test/fixtures/autodiff/transformer.onnx')],
    ['sms-mlp', path.join(sharedDir, 'external/models/sms_spam_embedding_mlp/network.onnx')],
  ];
  const rows: BenchRow[] = [];
  for (const [name, file] of models) {
    const result = await benchmarkGradientFeaturization(file, { count: 8, size: 128 });
    rows.push({
      name: `featurize.${name}`,
      batchSize: result.batchSize,
      examples: result.examples,
      projection: `${result.projection.kOut}x${result.projection.kIn}`,
      featureValuesPerExample: result.featureValuesPerExample,
      forwardExamplesPerSecond: round(result.forwardExamplesPerSecond),
      featurizeExamplesPerSecond: round(result.gradientExamplesPerSecond),
      featurizeOverForward: round(result.costRatio, 2),
      buildMs: round(result.buildMs),
      peakRssMiB: peakRssMiB(),
    });
  }
  return rows;
}
