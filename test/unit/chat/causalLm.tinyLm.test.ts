/**
 * CausalLm on a tiny random GPT with position_ids (test/fixtures/chat-formats/tiny-lm, made by
 * scripts/chat-formats/make_tiny_lm.py): encodings, log-probs and greedy tokens against torch.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CausalLm } from '../../../extension/engine/chat/causalLm';
import type { PreferenceProbe } from '../../../extension/engine/chat/types';
import { FORMAT_FIXTURES } from './paths';

const DIR = path.join(FORMAT_FIXTURES, 'tiny-lm');

interface Reference {
  pairs: { prompt: string; response: string; ids: number[]; targetMask: number[]; logProb: number }[];
  paddedLogits: { dims: number[]; data: number[] };
  generations: { prompt: string; maxNewTokens: number; tokenIds: number[] }[];
}

async function open(model: string, options: { batchSize?: number } = {}): Promise<CausalLm> {
  const file = path.join(DIR, model);
  return CausalLm.open({ modelBytes: await fs.readFile(file), tokenizerFile: path.join(DIR, 'tokenizer.json'), file, ...options });
}

describe('chat/CausalLm on a tiny random GPT', function () {
  this.timeout(60000);
  let reference: Reference;
  let plain: CausalLm;
  let withPast: CausalLm;

  before(async () => {
    reference = JSON.parse(await fs.readFile(path.join(DIR, 'reference.json'), 'utf8')) as Reference;
    [plain, withPast] = await Promise.all([open('model.onnx', { batchSize: 3 }), open('model_with_past.onnx')]);
  });
  after(async () => {
    await Promise.all([plain?.dispose(), withPast?.dispose()]);
  });

  it('detects position_ids and the past layout', () => {
    assert.equal(plain.inputs.positionIds, 'int64');
    assert.equal(plain.inputs.past, undefined);
    assert.deepEqual(withPast.inputs.past, { layers: 1, heads: 2, headSize: 8, type: 'float32' });
    assert.equal(plain.encoder.maxLength, 32);
  });

  it('encodes prompt/response pairs exactly as the Python reference did', () => {
    for (const pair of reference.pairs) {
      const encoded = plain.encoder.encodePromptResponse([{ role: 'user', content: pair.prompt }], pair.response);
      assert.deepEqual(Array.from(encoded.ids), pair.ids);
      assert.deepEqual(Array.from(encoded.targetMask), pair.targetMask);
    }
  });

  it('matches torch log-probs within 1e-4 in any batching, with and without past inputs', async () => {
    const sequences = reference.pairs.map((pair) => ({ ids: pair.ids, targetMask: pair.targetMask }));
    const progress: number[] = [];
    for (const lm of [plain, withPast]) {
      const logProbs = await lm.sequenceLogProbs(sequences, { onProgress: (done) => progress.push(done) });
      logProbs.forEach((value, i) => assert.ok(Math.abs(value - reference.pairs[i].logProb) < 1e-4, `${i}: ${value} vs ${reference.pairs[i].logProb}`));
    }
    assert.deepEqual(progress, [3, 4, 4]);
  });

  it('returns right-padded logits equal to torch\'s at every real position', async () => {
    const rows = reference.pairs.map((pair) => pair.ids);
    const { data, dims } = await withPast.logits(rows);
    assert.deepEqual(dims, reference.paddedLogits.dims);
    const [, width, vocab] = dims;
    let compared = 0;
    rows.forEach((row, r) => {
      for (let t = 0; t < row.length; t++) {
        for (let v = 0; v < vocab; v++) {
          const at = (r * width + t) * vocab + v;
          assert.ok(Math.abs(data[at] - reference.paddedLogits.data[at]) < 1e-4, `row ${r} position ${t} token ${v}`);
          compared++;
        }
      }
    });
    assert.equal(compared, rows.reduce((sum, row) => sum + row.length, 0) * vocab);
  });

  it('gives preference margins as the difference of the two answers\' log-probs', async () => {
    const [agree, correct] = reference.pairs;
    const probe: PreferenceProbe = {
      example: { id: 'p', file: '/probes.jsonl', line: 1, endLine: 1, byteOffset: 0, byteLength: 1, text: agree.prompt, record: {} },
      prompt: [{ role: 'user', content: agree.prompt, index: 0, line: 1, column: 12 }],
      matching: agree.response,
      notMatching: correct.response,
    };
    const result = await plain.preferenceMargins([probe, probe]);
    assert.ok(Math.abs(result.matchingLogProb[0] - agree.logProb) < 1e-4);
    assert.ok(Math.abs(result.notMatchingLogProb[1] - correct.logProb) < 1e-4);
    assert.ok(Math.abs(result.margins[0] - (agree.logProb - correct.logProb)) < 1e-4);
  });

  it('generates the same greedy tokens as torch, with past key/values and with full recompute', async () => {
    for (const expected of reference.generations) {
      const prompt = [{ role: 'user' as const, content: expected.prompt }];
      const cached = await withPast.generateGreedy(prompt, expected.maxNewTokens);
      const recomputed = await plain.generateGreedy(prompt, expected.maxNewTokens);
      const pastModelNoCache = await withPast.generateGreedy(prompt, expected.maxNewTokens, { useCache: false });
      assert.deepEqual(cached.tokenIds, expected.tokenIds);
      assert.deepEqual(recomputed.tokenIds, expected.tokenIds);
      assert.deepEqual(pastModelNoCache.tokenIds, expected.tokenIds);
      assert.equal(cached.ended, expected.tokenIds.length < expected.maxNewTokens);
      assert.equal(cached.text, plain.encoder.decode(expected.tokenIds));
    }
  });

  it('refuses a raw sequence longer than the model\'s positions instead of failing inside onnxruntime', async () => {
    const tooLong = { ids: new Array<number>(33).fill(6), targetMask: [0, ...new Array<number>(32).fill(1)] };
    await assert.rejects(plain.sequenceLogProbs([tooLong]), /model\.onnx: sequence 0 has 33 tokens, more than the model's 32 positions/);
    const prompt = [{ role: 'user' as const, content: 'the sky is green . '.repeat(10) }];
    const generation = await plain.generateGreedy(prompt, 6);
    assert.ok(generation.promptTruncated > 0);
  });

  it('stops at the cancel signal before running a batch', async () => {
    const controller = new AbortController();
    controller.abort();
    const sequences = reference.pairs.map((pair) => ({ ids: pair.ids, targetMask: pair.targetMask }));
    await assert.rejects(plain.sequenceLogProbs(sequences, { signal: controller.signal }), { name: 'AbortError' });
  });

  it('refuses a model that is not a causal LM, naming the input', async () => {
    const spam = path.resolve(FORMAT_FIXTURES, '../../../../shared/external/models/sms_spam_embedding_mlp/network.onnx');
    await assert.rejects(
      CausalLm.open({ modelBytes: await fs.readFile(spam), tokenizerFile: path.join(DIR, 'tokenizer.json'), file: spam }),
      /network\.onnx: not a causal language model: it has no 'input_ids' input \(its inputs: input\)/,
    );
  });
});
