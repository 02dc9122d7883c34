#!/usr/bin/env node
/**
 * A/B check for a featurization-graph rewrite (issue #5): the gradient model the current build makes against
 * one saved before the change, in one process, passes alternating, so that both see the same neighbours.
 * Prints the largest output difference (outputs are matched by position: names are fresh per build), the
 * ORT kernel counts, and the fastest and median pass of each.
 *
 * Usage (after `npx tsc -p tsconfig.json`):
 *   node scripts/profile-featurize-compare.js --save /tmp/head.onnx      # before the change
 *   node scripts/profile-featurize-compare.js /tmp/head.onnx [--passes 40] [--model file.onnx]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const out = (p) => path.join(repo, 'out/extension/engine', p);
const { decodeModel, encodeModel } = require(out('model/onnxProto.js'));
const { synthesizeExampleFeeds } = require(out('autodiff/exampleFeeds.js'));
const { buildFeaturizationModel } = require(out('autodiff/benchmark.js'));
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const options = { model: path.join(repo, 'test/fixtures/autodiff/transformer.onnx'), passes: 40, batch: 128, batches: 8 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) options.baseline = path.resolve(flag);
    else if (flag === '--save' || flag === '--model') options[flag.slice(2)] = path.resolve(argv[++i]);
    else options[flag.slice(2)] = Number(argv[++i]);
  }
  return options;
}

/** The benchmark's featurization model (per-example LoGra outputs only, 16 × 16, seed 0). */
async function buildCurrent(source, probe) {
  const built = await buildFeaturizationModel(source, probe, { kIn: 16, kOut: 16, seed: 0 });
  return encodeModel(built.model);
}

async function session(bytes) {
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', logSeverityLevel: 3 });
}

async function kernelCount(bytes) {
  const file = path.join(require('os').tmpdir(), `policytrace-compare-${process.pid}.onnx`);
  await (await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', logSeverityLevel: 3, optimizedModelFilePath: file })).release();
  const count = decodeModel(fs.readFileSync(file)).graph.node.length;
  fs.unlinkSync(file);
  return count;
}

async function timePass(s, feeds) {
  const start = process.hrtime.bigint();
  for (const batch of feeds) await s.run(batch);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const source = decodeModel(fs.readFileSync(options.model));
  const batches = Array.from({ length: options.batches }, (_, i) => synthesizeExampleFeeds(source, options.batch, i + 1));
  const current = await buildCurrent(source, batches[0]);
  if (options.save) {
    fs.writeFileSync(options.save, current);
    console.log(`saved the current featurization model to ${options.save}`);
    return;
  }
  if (!options.baseline) throw new Error('give a baseline model saved with --save');
  const baseline = fs.readFileSync(options.baseline);
  const feeds = batches.map((b) => ({ ...b, labels: new ort.Tensor('int64', BigInt64Array.from({ length: options.batch }, (_, i) => BigInt(i % 3)), [options.batch]) }));
  const a = await session(baseline);
  const b = await session(current);

  let worst = 0;
  let worstScale = 0;
  const ra = await a.run(feeds[0]);
  const rb = await b.run(feeds[0]);
  if (a.outputNames.length !== b.outputNames.length) throw new Error(`output counts differ: ${a.outputNames.length} vs ${b.outputNames.length}`);
  a.outputNames.forEach((name, i) => {
    const x = ra[name].data;
    const y = rb[b.outputNames[i]].data;
    if (x.length !== y.length) throw new Error(`output ${i} sizes differ`);
    for (let j = 0; j < x.length; j++) {
      worst = Math.max(worst, Math.abs(x[j] - y[j]));
      worstScale = Math.max(worstScale, Math.abs(x[j]));
    }
  });
  console.log(`max |baseline − current| over ${a.outputNames.length} outputs: ${worst.toExponential(2)} (max |value| ${worstScale.toExponential(2)})`);
  console.log(`ORT kernels: baseline ${await kernelCount(baseline)}, current ${await kernelCount(current)}`);

  await timePass(a, feeds);
  await timePass(b, feeds);
  const times = { baseline: [], current: [] };
  for (let p = 0; p < options.passes; p++) {
    // Alternate which goes first, so neither always follows the other.
    const order = p % 2 === 0 ? [['baseline', a], ['current', b]] : [['current', b], ['baseline', a]];
    for (const [name, s] of order) times[name].push(await timePass(s, feeds));
  }
  for (const [name, ts] of Object.entries(times)) {
    console.log(`${name.padEnd(8)} ms per ${options.batches} batches: min ${Math.min(...ts).toFixed(2)}, median ${median(ts).toFixed(2)}`);
  }
  console.log(`current / baseline: min ${(Math.min(...times.current) / Math.min(...times.baseline)).toFixed(3)}, median ${(median(times.current) / median(times.baseline)).toFixed(3)}`);
  await a.release();
  await b.release();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
