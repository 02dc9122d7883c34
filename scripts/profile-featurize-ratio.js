#!/usr/bin/env node
/**
 * Issue #5's measurement: `benchmarkGradientFeaturization` (forward and featurize examples/s, measured in
 * one run) on the transformer fixture and the SMS MLP, the same settings as `npm run bench`'s featurize rows.
 * Usage (after `npx tsc -p tsconfig.json`): node scripts/profile-featurize-ratio.js [times to repeat the whole measurement] [intra-op threads]
 */
'use strict';
const path = require('path');

const repo = path.resolve(__dirname, '..');
const { benchmarkGradientFeaturization } = require(path.join(repo, 'out/extension/engine/autodiff/benchmark.js'));

const models = [
  ['transformer-fixture', path.join(repo, 'test/fixtures/autodiff/transformer.onnx')],
  ['sms-mlp', path.resolve(repo, '../shared/external/models/sms_spam_embedding_mlp/network.onnx')],
];

async function main() {
  const times = Number(process.argv[2] ?? 1);
  const threads = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  for (let t = 0; t < times; t++) {
    for (const [name, file] of models) {
      const r = await benchmarkGradientFeaturization(file, { count: 8, size: 128 }, { threads });
      console.log(
        `featurize.${name} (threads ${threads ?? 'default'}): forward ${r.forwardExamplesPerSecond.toFixed(0)} ex/s, featurize ${r.gradientExamplesPerSecond.toFixed(0)} ex/s, ` +
          `ratio ${r.costRatio.toFixed(2)} (outputs ${r.featureOutputs}, values/example ${r.featureValuesPerExample}, build ${r.buildMs.toFixed(0)} ms)`,
      );
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
