#!/usr/bin/env node
/**
 * Where gradient featurization spends its time (issue #5). Builds the featurization model the benchmark
 * builds (per-example LoGra outputs only), runs it with onnxruntime's session profiler, and prints the summed
 * per-node kernel time by op type and by section of the graph:
 *   forward     the original model's nodes
 *   objective   the per-example loss and its seed
 *   backward    the vector-Jacobian nodes
 *   perExample  per-example gradient assembly (toExampleRows, outer products, elementwise sums)
 *   projection  the MatMuls by a LoGra projection matrix (part of perExample's nodes)
 * plus node counts per section and op type, and the forward model's profile for comparison.
 *
 * Usage (after `npx tsc -p tsconfig.json`):
 *   node scripts/profile-featurize.js [model.onnx] [--batch 128] [--batches 8] [--threads 0] [--opt all|extended|basic|disabled] [--k 16] [--passes 1]
 * With --passes N > 1 every batch runs N times and each kernel counts its 10th-percentile run time (times
 * --batches, so the tables keep their units): on a shared machine the sums of one pass mostly measure the
 * neighbours. The profiler adds a few µs to every kernel, so many small kernels look costlier than they are.
 * Default model: test/fixtures/autodiff/transformer.onnx.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const out = (p) => path.join(repo, 'out/extension/engine', p);
const { decodeModel, encodeModel } = require(out('model/onnxProto.js'));
const { synthesizeExampleFeeds } = require(out('autodiff/exampleFeeds.js'));
const objectiveModule = require(out('autodiff/objective.js'));
const backwardModule = require(out('autodiff/backward.js'));
const perExampleModule = require(out('autodiff/perExample.js'));
const { buildFeaturizationModel } = require(out('autodiff/benchmark.js'));
const ort = require('onnxruntime-node');

function parseArgs(argv) {
  const options = { model: path.join(repo, 'test/fixtures/autodiff/transformer.onnx'), batch: 128, batches: 8, threads: 0, opt: 'all', k: 16, passes: 1 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (!flag.startsWith('--')) options.model = path.resolve(flag);
    else if (flag === '--opt') options.opt = argv[++i];
    else options[flag.slice(2)] = Number(argv[++i]);
  }
  return options;
}

/** Records which nodes each build phase appended (node objects survive the final dead-node pruning). */
function recordPhases() {
  const marks = new Map();
  const wrap = (module, name, phase) => {
    const original = module[name];
    module[name] = (emit, ...rest) => {
      const start = emit.graph.node.length;
      const result = original(emit, ...rest);
      for (const node of emit.graph.node.slice(start)) marks.set(node, phase);
      return result;
    };
  };
  wrap(objectiveModule, 'appendObjective', 'objective');
  wrap(backwardModule, 'appendBackwardGraph', 'backward');
  wrap(perExampleModule, 'appendPerExampleGradients', 'perExample');
  return marks;
}

/** forwardTensors: the source model's tensor names (a fused LayerNorm keeps them, so it counts as forward). */
function sectionOf(node, marks, forwardTensors) {
  const rewritesForward = (node.output ?? []).some((o) => forwardTensors.has(o));
  const phase = marks.get(node) ?? (rewritesForward || !node.name?.startsWith('grad/') ? 'forward' : 'outputs');
  if (phase === 'perExample' && node.opType === 'MatMul' && (node.input ?? []).some((i) => i.startsWith('grad/projection/'))) return 'projection';
  return phase;
}

function addTo(table, row, column, value) {
  table[row] ??= {};
  table[row][column] = (table[row][column] ?? 0) + value;
}

function printTable(title, table, unit) {
  const columns = [...new Set(Object.values(table).flatMap((r) => Object.keys(r)))].sort();
  const rows = Object.entries(table).map(([name, r]) => [name, columns.map((c) => r[c] ?? 0), columns.reduce((s, c) => s + (r[c] ?? 0), 0)]);
  rows.sort((a, b) => b[2] - a[2]);
  const fmt = (v) => (unit === 'ms' ? v.toFixed(1) : String(v)).padStart(11);
  console.log(`\n${title}`);
  console.log(`${''.padEnd(22)}${columns.map((c) => c.padStart(11)).join('')}${'total'.padStart(11)}`);
  for (const [name, values, total] of rows) console.log(`${name.padEnd(22)}${values.map(fmt).join('')}${fmt(total)}`);
  const totals = columns.map((c) => rows.reduce((s, r) => s + (table[r[0]][c] ?? 0), 0));
  console.log(`${'TOTAL'.padEnd(22)}${totals.map(fmt).join('')}${fmt(totals.reduce((a, b) => a + b, 0))}`);
}

/** The 10th percentile of `values` (sorted in place). */
function lowPercentile(values) {
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length * 0.1)];
}

/**
 * Runs `batches` (`options.passes` times) with profiling on; returns wall ms of one pass and per-node kernel
 * µs over one pass: summed, or with several passes each kernel's 10th-percentile run time times the batches.
 */
async function profileRun(bytes, feedsList, outputNames, options, prefix) {
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: options.opt,
    intraOpNumThreads: options.threads,
    enableProfiling: true,
    profileFilePrefix: prefix,
  });
  await session.run(feedsList[0], outputNames); // warm-up (also profiled; subtracted below by counting runs)
  const start = process.hrtime.bigint();
  for (let pass = 0; pass < options.passes; pass++) for (const feeds of feedsList) await session.run(feeds, outputNames);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6 / options.passes;
  session.endProfiling(); // onnxruntime-node returns nothing: find the file by its prefix
  await session.release();
  const dir = path.dirname(prefix);
  const found = fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json'));
  if (found.length !== 1) throw new Error(`expected one profile file ${prefix}*.json, found ${found.length}`);
  const profilePath = path.join(dir, found[0]);
  const events = JSON.parse(fs.readFileSync(profilePath, 'utf8'));
  fs.unlinkSync(profilePath);
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run');
  const firstTimed = runs[1]?.ts ?? 0;
  const runMs = runs.slice(1).reduce((sum, e) => sum + e.dur, 0) / 1000 / options.passes;
  const durations = new Map();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < firstTimed) continue;
    const name = e.name.slice(0, -'_kernel_time'.length);
    const entry = durations.get(name) ?? { op: e.args?.op_name ?? '?', us: [] };
    entry.us.push(e.dur);
    durations.set(name, entry);
  }
  const perNode = new Map();
  for (const [name, { op, us }] of durations) {
    const total = options.passes > 1 ? lowPercentile(us) * feedsList.length : us.reduce((a, b) => a + b, 0);
    perNode.set(name, { op, us: total });
  }
  return { wallMs, runMs, perNode };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const source = decodeModel(fs.readFileSync(options.model));
  const feedsList = Array.from({ length: options.batches }, (_, i) => synthesizeExampleFeeds(source, options.batch, i + 1));
  const marks = recordPhases();
  const built = await buildFeaturizationModel(source, feedsList[0], { kIn: options.k, kOut: options.k, seed: 0 });
  const nodes = built.model.graph.node;
  const forwardTensors = new Set(source.graph.node.flatMap((n) => n.output ?? []));
  const sectionByName = new Map();
  const counts = {};
  nodes.forEach((node) => {
    const section = sectionOf(node, marks, forwardTensors);
    sectionByName.set(node.name || node.output[0], section);
    addTo(counts, node.opType, section, 1);
  });
  console.log(`model ${path.relative(repo, options.model)}: batch ${options.batch} × ${options.batches}, passes ${options.passes}, threads ${options.threads}, opt ${options.opt}, k ${options.k}`);
  console.log(`gradient graph: ${nodes.length} nodes (forward ${source.graph.node.length}), ${built.gradientOutputs.length} per-example outputs`);
  printTable('node counts by op type and section (emitted graph, before ORT optimizations)', counts, 'n');

  const labelled = feedsList.map((f) => ({ ...f, labels: new ort.Tensor('int64', new BigInt64Array(options.batch), [options.batch]) }));
  const prefix = path.join(os.tmpdir(), `profile-featurize-${process.pid}`);
  const forward = await profileRun(fs.readFileSync(options.model), feedsList, undefined, options, `${prefix}-fwd`);
  const gradient = await profileRun(encodeModel(built.model), labelled, built.gradientOutputs.map((o) => o.output), options, `${prefix}-grad`);

  // ORT renames fused nodes; those it created map to no emitted node and are reported as 'fused/other'.
  const byOp = {};
  // A fused kernel is named after the node it grew from plus the fusion ('grad/MatMul_node_7/MatmulTransposeFusion/').
  const sectionOfKernel = (name) => {
    for (let cut = name.length; cut > 0; cut = name.lastIndexOf('/', cut - 1)) {
      const section = sectionByName.get(name.slice(0, cut));
      if (section) return section;
    }
    return 'fused/other';
  };
  for (const [name, { op, us }] of gradient.perNode) addTo(byOp, op, sectionOfKernel(name), us / 1000);
  printTable(`gradient model kernel ms by op type and section (${options.passes > 1 ? `p10 per kernel × ${options.batches} runs` : `summed over ${options.batches} timed runs`})`, byOp, 'ms');
  const top = [...gradient.perNode].sort((a, b) => b[1].us - a[1].us).slice(0, options.top ?? 25);
  console.log(`\ntop ${top.length} gradient-model kernels (ms over ${options.batches} runs)`);
  for (const [name, { op, us }] of top) console.log(`${(us / 1000).toFixed(2).padStart(8)}  ${op.padEnd(16)} ${sectionOfKernel(name).padEnd(11)} ${name}`);
  const forwardByOp = {};
  for (const [, { op, us }] of forward.perNode) addTo(forwardByOp, op, 'forward', us / 1000);
  printTable('forward model kernel ms by op type', forwardByOp, 'ms');
  console.log(`\nORT kernels after optimization: gradient ${gradient.perNode.size}, forward ${forward.perNode.size}`);
  console.log(`ORT model_run ms: forward ${forward.runMs.toFixed(1)}, gradient ${gradient.runMs.toFixed(1)}`);
  console.log(`wall ms (profiling on): forward ${forward.wallMs.toFixed(1)}, gradient ${gradient.wallMs.toFixed(1)}, ratio ${(gradient.wallMs / forward.wallMs).toFixed(2)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
