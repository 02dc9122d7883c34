#!/usr/bin/env node
// Cross-checks the planted fixtures outside Python: for each case, re-derives the first probes' input ids
// from probe.jsonl with the documented preprocessing (lower-case, [^a-z0-9 ]+ -> space, whitespace split,
// vocab.json lookup, unknown/pad 0, first `length` ids) and runs model.onnx in onnxruntime-node; prints
// id mismatches against reference_probs.json and the largest |onnxruntime - torch| probability gap.
//   node scripts/planted/check_onnx.js [test/fixtures/planted]
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function checkCase(dir) {
  const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  const reference = read('reference_probs.json').rows;
  const vocab = read('vocab.json');
  const length = read('policytrace.json').featurizer.length;
  const probe = fs.readFileSync(path.join(dir, 'probe.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
  const ids = new BigInt64Array(reference.length * length);
  let idMismatches = 0;
  reference.forEach((row, i) => {
    const words = probe[i].text.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ').split(/\s+/).filter(Boolean);
    const mine = words.map((word) => vocab[word] ?? 0).slice(0, length);
    while (mine.length < length) mine.push(0);
    if (mine.join() !== row.input.join()) idMismatches++;
    mine.forEach((id, j) => { ids[i * length + j] = BigInt(id); });
  });
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
  const output = (await session.run({ input: new ort.Tensor('int64', ids, [reference.length, length]) })).probs;
  const classes = output.dims[1];
  let maxGap = 0;
  reference.forEach((row, i) => row.probs.forEach((p, k) => { maxGap = Math.max(maxGap, Math.abs(p - output.data[i * classes + k])); }));
  return { rows: reference.length, idMismatches, maxGap };
}

(async () => {
  const root = process.argv[2] ?? path.join(__dirname, '..', '..', 'test', 'fixtures', 'planted');
  let failed = false;
  for (const name of ['trigger', 'control', 'sycophancy']) {
    const result = await checkCase(path.join(root, name));
    const ok = result.idMismatches === 0 && result.maxGap < 1e-5;
    failed ||= !ok;
    console.log(`${name}: ${result.rows} probes, id mismatches ${result.idMismatches}, max |onnxruntime - torch| ${result.maxGap.toExponential(2)} ${ok ? 'ok' : 'MISMATCH'}`);
  }
  process.exit(failed ? 1 : 0);
})().catch((error) => { console.error(error); process.exit(1); });
