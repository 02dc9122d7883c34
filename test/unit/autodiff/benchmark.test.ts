/** The featurization benchmark runs end to end on the transformer fixture and the real SMS model. */
import * as assert from 'assert';
import * as path from 'path';
import { benchmarkGradientFeaturization } from '../../../extension/engine/autodiff/benchmark';
import { fixtureDir, repoRoot } from './referenceFixtures';

describe('autodiff: benchmarkGradientFeaturization', () => {
  for (const modelPath of [path.join(fixtureDir, 'transformer.onnx'), path.resolve(repoRoot, '../shared/external/models/sms_spam_embedding_mlp/network.onnx')]) {
    it(`measures ${path.basename(path.dirname(modelPath))}/${path.basename(modelPath)}`, async () => {
      const result = await benchmarkGradientFeaturization(modelPath, { count: 2, size: 4 }, { repeats: 1, minTimingMs: 0, projection: { kIn: 4, kOut: 4, seed: 1 } });
      assert.strictEqual(result.examples, 8);
      assert.ok(result.featureOutputs > 0 && result.featureValuesPerExample > 0);
      assert.ok(result.forwardExamplesPerSecond > 0 && result.gradientExamplesPerSecond > 0);
      assert.ok(Math.abs(result.costRatio - result.forwardExamplesPerSecond / result.gradientExamplesPerSecond) < 1e-9);
    });
  }
});
