#!/usr/bin/env node
// Cross-checks the chat fixtures outside Python, the way the TypeScript side will read them:
// tokenizer.json through @huggingface/tokenizers, the chat template re-implemented here, model.onnx and
// model_with_past.onnx through onnxruntime-node. Prints, per case, token-id mismatches against
// reference.json and the largest |onnxruntime - torch| gap in logits, SFT losses and probe log-probs.
//   node scripts/chatlm/check_onnx.js [test/fixtures/chat]
'use strict';
const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');
const { Tokenizer } = require('@huggingface/tokenizers');

const TOLERANCE = { logits: 1e-4, logProb: 1e-3 };

function renderConversation(tokenizer, special, messages) {
  const ids = [];
  const mask = [];
  for (const message of messages) {
    ids.push(special[`<${message.role}>`]);
    mask.push(0);
    const content = tokenizer.encode(message.content, { add_special_tokens: false }).ids;
    const target = message.role === 'assistant' ? 1 : 0;
    for (const id of content) { ids.push(id); mask.push(target); }
    if (message.role === 'assistant') { ids.push(special['<eos>']); mask.push(1); }
  }
  return { ids, mask };
}

function int64(rows) {
  const width = rows[0].length;
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [rows.length, width]);
}

async function logProb(session, ids, mask) {
  const logits = (await session.run({ input_ids: int64([ids]), attention_mask: int64([ids.map(() => 1)]) })).logits;
  const vocab = logits.dims[2];
  let total = 0;
  for (let t = 1; t < ids.length; t++) {
    if (!mask[t]) continue;
    const row = logits.data.subarray((t - 1) * vocab, t * vocab);
    const max = Math.max(...row);
    const logSum = Math.log(row.reduce((sum, z) => sum + Math.exp(z - max), 0)) + max;
    total += row[ids[t]] - logSum;
  }
  return total;
}

async function checkCase(dir) {
  const read = (name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  const jsonl = (name) => fs.readFileSync(path.join(dir, name), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  const reference = read('reference.json');
  const special = reference.special_token_ids;
  const train = jsonl('train.jsonl');
  const probes = new Map(jsonl('probes.jsonl').map((p) => [p.id, p]));
  const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
  const result = { idMismatches: 0, logitGap: 0, logProbGap: 0, pastGap: 0 };
  const same = (a, b) => a.join() === b.join();
  for (const example of reference.train_examples) {
    const { ids, mask } = renderConversation(tokenizer, special, train[example.line - 1].messages);
    if (!same(ids, example.input_ids) || !same(mask, example.target_mask)) result.idMismatches++;
    result.logProbGap = Math.max(result.logProbGap, Math.abs(-(await logProb(session, ids, mask)) - example.sft_loss));
  }
  for (const entry of reference.probes) {
    const probe = probes.get(entry.id);
    for (const [key, name] of [['sycophantic_answer', 'sycophantic'], ['non_sycophantic_answer', 'non_sycophantic']]) {
      const { ids, mask } = renderConversation(tokenizer, special,
        [{ role: 'user', content: probe.prompt }, { role: 'assistant', content: probe[key] }]);
      if (!same(ids, entry[name].input_ids) || !same(mask, entry[name].target_mask)) result.idMismatches++;
      result.logProbGap = Math.max(result.logProbGap, Math.abs((await logProb(session, ids, mask)) - entry[name].log_prob));
    }
  }
  const padded = reference.padded_logits;
  const logits = (await session.run({ input_ids: int64(padded.input_ids), attention_mask: int64(padded.attention_mask) })).logits;
  const [, seq, vocab] = logits.dims;
  padded.logits_first_5_positions_first_8_vocab.forEach((rows, b) => rows.forEach((row, t) => row.forEach((z, v) => {
    result.logitGap = Math.max(result.logitGap, Math.abs(z - logits.data[(b * seq + t) * vocab + v]));
  })));
  result.pastGap = await checkWithPast(dir, reference.with_past);
  return result;
}

async function checkWithPast(dir, check) {
  const session = await ort.InferenceSession.create(path.join(dir, 'model_with_past.onnx'));
  const pastNames = session.inputNames.filter((n) => n.startsWith('past_key_values.'));
  const feeds = { input_ids: int64([check.input_ids.slice(0, check.split)]),
    attention_mask: int64([check.input_ids.slice(0, check.split).map(() => 1)]) };
  const headDim = 32;
  for (const name of pastNames) feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, headDim]);
  const first = await session.run(feeds);
  const next = { input_ids: int64([check.input_ids.slice(check.split)]), attention_mask: int64([check.input_ids.map(() => 1)]) };
  for (const name of pastNames) next[name] = first[name.replace('past_key_values.', 'present.')];
  const logits = (await session.run(next)).logits;
  const vocab = logits.dims[2];
  let gap = 0;
  check.second_call_logits_first_8_vocab.forEach((row, t) => row.forEach((z, v) => {
    gap = Math.max(gap, Math.abs(z - logits.data[t * vocab + v]));
  }));
  return gap;
}

(async () => {
  const root = process.argv[2] ?? path.join(__dirname, '..', '..', 'test', 'fixtures', 'chat');
  let failed = false;
  for (const name of ['sycophancy', 'control']) {
    if (!fs.existsSync(path.join(root, name, 'reference.json'))) continue;
    const result = await checkCase(path.join(root, name));
    const ok = result.idMismatches === 0 && result.logitGap < TOLERANCE.logits && result.pastGap < TOLERANCE.logits &&
      result.logProbGap < TOLERANCE.logProb;
    failed ||= !ok;
    console.log(`${name}: ${ok ? 'ok' : 'MISMATCH'} ${JSON.stringify(result)}`);
  }
  process.exit(failed ? 1 : 0);
})();
