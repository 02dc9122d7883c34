import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { prepareModel } from '../../../extension/engine/model/prepare';
import type { Feeds } from '../../../extension/engine/runner/feeds';
import { ModelRunner } from '../../../extension/engine/runner/modelRunner';
import { assertClose, floatData, runDirect } from '../model/ortDirect';
import { EXTERNAL_MODELS, RF_MODEL, SMS_MODEL } from '../model/paths';
import { pseudoRandom, slowModel } from './syntheticModels';

/** The SMS model's preprocessing (README): lower-case, whitespace split, vocab lookup (missing → 0), pad to 100. */
async function smsIds(texts: string[]): Promise<BigInt64Array> {
  const vocab = JSON.parse(await fs.readFile(path.join(path.dirname(SMS_MODEL), 'vocab.json'), 'utf8')) as Record<string, number>;
  const ids = new BigInt64Array(texts.length * 100);
  texts.forEach((text, row) => {
    text.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 100).forEach((word, i) => (ids[row * 100 + i] = BigInt(vocab[word] ?? 0)));
  });
  return ids;
}

const TEXTS = [
  'Free entry to win a prize call now',
  'Ok lar... Joking wif u oni...',
  'URGENT! You have won a 1 week FREE membership in our £100,000 Prize Jackpot! Txt the word: CLAIM to No: 81010',
  'I will call you later when I get home',
  'Go until jurong point, crazy.. Available only in bugis n great world la e buffet...',
  'Congratulations ur awarded 500 of CD vouchers or 125gift guaranteed & Free entry 2 100 wkly draw txt MUSIC to 87066',
];

function slowFeeds(rows: number, width: number, seed: number): Feeds {
  return { x: { type: 'float32', dims: [rows, width], data: pseudoRandom(rows * width, seed) } };
}

describe('ModelRunner (onnxruntime in a worker thread)', function () {
  this.timeout(60_000);

  it('gives the SMS model the same probabilities as a direct onnxruntime session', async () => {
    const bytes = await fs.readFile(SMS_MODEL);
    const ids = await smsIds(TEXTS);
    const direct = floatData((await runDirect(bytes, { input: new ort.Tensor('int64', ids, [TEXTS.length, 100]) }))['probs']);
    const runner = await ModelRunner.start({ modelBytes: bytes, threads: 1, file: SMS_MODEL });
    try {
      assert.deepEqual(runner.outputNames, ['probs']);
      assert.deepEqual(runner.inputMetadata, [{ name: 'input', isTensor: true, type: 'int64', shape: ['batch_size', 100] }]);
      const progress: [number, number][] = [];
      // Three batches of two rows, as an async generator (how featurizers stream).
      const sent: BigInt64Array[] = [];
      async function* batches(): AsyncGenerator<Feeds> {
        for (let b = 0; b < 3; b++) {
          sent.push(ids.slice(b * 200, (b + 1) * 200));
          yield { input: { type: 'int64', dims: [2, 100], data: sent[b]! } };
        }
      }
      const outputs = await runner.run(batches(), { onProgress: (done, rows) => progress.push([done, rows]) });
      // Feeds are transferred to the worker, not copied: the caller's arrays are detached.
      assert.deepEqual(sent.map((a) => a.length), [0, 0, 0]);
      assert.deepEqual(outputs['probs']?.dims, [6, 2]);
      assertClose(outputs['probs']!.data as Float32Array, direct, 1e-6, 'worker vs direct');
      assert.deepEqual(progress, [[1, 2], [2, 4], [3, 6]]);
      const spam = outputs['probs']!.data as Float32Array;
      assert.ok(spam[1]! > 0.99, `"Free entry to win a prize call now" → spam ${spam[1]}`);
    } finally {
      await runner.dispose();
    }
  });

  it('returns the prepared head outputs (features, logits) concatenated over batches', async () => {
    const prepared = prepareModel(await fs.readFile(SMS_MODEL), { file: SMS_MODEL });
    const runner = await ModelRunner.start({ modelBytes: prepared.bytes, threads: 1 });
    try {
      const ids = await smsIds(TEXTS.slice(0, 3));
      const outputs = await runner.run([0, 1, 2].map((r) => ({ input: { type: 'int64', dims: [1, 100], data: ids.slice(r * 100, (r + 1) * 100) } })));
      assert.deepEqual(Object.keys(outputs), prepared.outputs.names);
      assert.deepEqual(outputs[prepared.outputs.features!]?.dims, [3, 32]);
      assert.deepEqual(outputs[prepared.outputs.logits!]?.dims, [3, 2]);
    } finally {
      await runner.dispose();
    }
  });

  it('checks dtype, shape and names before running, naming the input and what the model expects', async () => {
    const runner = await ModelRunner.start({ modelBytes: await fs.readFile(SMS_MODEL), file: SMS_MODEL });
    try {
      const cases: [Feeds, RegExp][] = [
        [{ input: { type: 'int32', dims: [2, 100], data: new Int32Array(200) } }, /input 'input' has the wrong element type: got int32 \[2, 100\], the model expects int64 \[batch_size, 100\]/],
        [{ input: { type: 'int64', dims: [2, 50], data: new BigInt64Array(100) } }, /input 'input' has 50 instead of 100 on axis 1/],
        [{ input: { type: 'int64', dims: [100], data: new BigInt64Array(100) } }, /has rank 1 instead of 2/],
        [{ input: { type: 'int64', dims: [2, 100], data: new BigInt64Array(7) } }, /holds 7 values where its dims need 200/],
        [{ tokens: { type: 'int64', dims: [1, 100], data: new BigInt64Array(100) } }, /the model has no input 'tokens' \(its inputs: input\)/],
        [{}, /input 'input' is missing/],
      ];
      for (const [feeds, message] of cases) {
        await assert.rejects(runner.run([feeds]), (e: PolicyTraceError) => {
          assert.equal(e.code, 'bad-input');
          assert.ok(e.message.startsWith(`${SMS_MODEL}: batch 0: `), e.message);
          assert.match(e.message, message);
          return true;
        });
      }
      // The runner is still usable after rejected batches.
      const ok = await runner.run([{ input: { type: 'int64', dims: [1, 100], data: new BigInt64Array(100) } }]);
      assert.deepEqual(ok['probs']?.dims, [1, 2]);
    } finally {
      await runner.dispose();
    }
  });

  it('carries onnxruntime errors back with the batch and the input shapes', async () => {
    const runner = await ModelRunner.start({ modelBytes: await fs.readFile(SMS_MODEL) });
    try {
      // Out-of-vocabulary id 5000 passes the shape check but fails inside Gather.
      const data = new BigInt64Array(200).fill(5000n);
      await assert.rejects(
        runner.run([{ input: { type: 'int64', dims: [1, 100], data: new BigInt64Array(100) } }, { input: { type: 'int64', dims: [2, 100], data } }]),
        (e: PolicyTraceError) => e.code === 'onnxruntime' && /^batch 1 \(inputs: input int64 \[2, 100\]\): onnxruntime failed: .*indices/i.test(e.message),
      );
    } finally {
      await runner.dispose();
    }
  });

  it('runs the raw random forest, skipping its ZipMap output, and refuses to fetch ZipMap', async () => {
    const bytes = await fs.readFile(RF_MODEL);
    const runner = await ModelRunner.start({ modelBytes: bytes });
    try {
      assert.deepEqual(runner.outputNames, ['output_label']);
      const out = await runner.run([{ float_input: { type: 'float32', dims: [2, 50], data: new Float32Array(100) } }]);
      assert.deepEqual(out['output_label']?.dims, [2]);
    } finally {
      await runner.dispose();
    }
    await assert.rejects(
      ModelRunner.start({ modelBytes: bytes, outputs: ['output_probability'], file: RF_MODEL }),
      (e: PolicyTraceError) => e.code === 'bad-output' && e.message.startsWith(RF_MODEL) && /output 'output_probability' is not a tensor .*ZipMap/.test(e.message),
    );
    const prepared = prepareModel(bytes, { file: RF_MODEL });
    const preparedRunner = await ModelRunner.start({ modelBytes: prepared.bytes });
    try {
      const out = await preparedRunner.run([{ float_input: { type: 'float32', dims: [3, 50], data: new Float32Array(150) } }]);
      assert.deepEqual(out['probabilities']?.dims, [3, 2]);
    } finally {
      await preparedRunner.dispose();
    }
  });

  it('reports a model onnxruntime cannot load', async () => {
    const bytes = await fs.readFile(path.join(EXTERNAL_MODELS, 'tiny_sentiment_6ex', 'sentiment1', 'network.onnx'));
    await assert.rejects(ModelRunner.start({ modelBytes: bytes.subarray(0, 100) }), (e: PolicyTraceError) => e.code === 'model-invalid' && /onnxruntime could not load the model/.test(e.message));
  });

  it('keeps the calling thread responsive during a long run', async () => {
    const runner = await ModelRunner.start({ modelBytes: slowModel(512, 40), threads: 1 });
    try {
      let ticks = 0;
      let last = Date.now();
      let longestGap = 0;
      const timer = setInterval(() => {
        const now = Date.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
        ticks++;
      }, 10);
      const started = Date.now();
      // Three batches of 2048 rows: each is one long blocking session.run() inside the worker.
      await runner.run([slowFeeds(2048, 512, 1), slowFeeds(2048, 512, 2), slowFeeds(2048, 512, 3)]);
      const elapsed = Date.now() - started;
      clearInterval(timer);
      assert.ok(elapsed >= 300, `the run took only ${elapsed} ms; the model is too small to show anything`);
      // Had session.run() blocked this thread, there would be ~1 tick per batch and a gap as long as a batch.
      assert.ok(ticks >= elapsed / 10 / 4, `${ticks} ticks in ${elapsed} ms`);
      assert.ok(longestGap < Math.max(150, elapsed / 4), `longest gap between ticks ${longestGap} ms in a ${elapsed} ms run`);
    } finally {
      await runner.dispose();
    }
  });

  it('cancels mid-run between batches, rejecting with code cancelled, and stays usable', async () => {
    const runner = await ModelRunner.start({ modelBytes: slowModel(512, 40), threads: 1 });
    try {
      const controller = new AbortController();
      let done = 0;
      const batches = Array.from({ length: 40 }, (_, i) => slowFeeds(128, 512, i));
      const started = Date.now();
      await assert.rejects(
        runner.run(batches, { signal: controller.signal, onProgress: (n) => (done = n) === 2 && controller.abort() }),
        (e: PolicyTraceError) => e.code === 'cancelled' && e.name === 'AbortError' && /cancelled/.test(e.message),
      );
      assert.ok(done >= 2 && done < 40, `${done} batches ran before the cancel took effect`);
      assert.ok(Date.now() - started < 30_000);
      const after = await runner.run([slowFeeds(4, 512, 99)]);
      assert.deepEqual(after['y']?.dims, [4, 512]);
    } finally {
      await runner.dispose();
    }
  });

  it('rejects at once when the signal is already aborted', async () => {
    const runner = await ModelRunner.start({ modelBytes: slowModel(8, 1) });
    try {
      await assert.rejects(runner.run([slowFeeds(1, 8, 1)], { signal: AbortSignal.abort() }), (e: PolicyTraceError) => e.code === 'cancelled');
    } finally {
      await runner.dispose();
    }
  });

  it('rejects an abort the worker cannot honour in time, without terminating it mid-run, and stays usable', async () => {
    // Terminating a worker inside session.run() aborts the whole process (onnxruntime-node 1.30), so the
    // runner rejects after the grace period and lets the abandoned batch finish in the background.
    const runner = await ModelRunner.start({ modelBytes: slowModel(512, 40), threads: 1, cancelGraceMs: 100 });
    try {
      const controller = new AbortController();
      const started = Date.now();
      // Abort 100 ms after the short first batch is back: by then the worker is inside the long second batch.
      await assert.rejects(
        runner.run([slowFeeds(2, 512, 1), slowFeeds(4096, 512, 2)], {
          signal: controller.signal,
          onProgress: () => setTimeout(() => controller.abort(), 100),
        }),
        (e: PolicyTraceError) => e.code === 'cancelled' && /did not finish within 100 ms/.test(e.message),
      );
      const rejectedAfter = Date.now() - started;
      const next = await runner.run([slowFeeds(2, 512, 5)]);
      const nextAfter = Date.now() - started;
      assert.deepEqual(next['y']?.dims, [2, 512]);
      assert.ok(rejectedAfter < nextAfter, `rejected after ${rejectedAfter} ms, the next run (queued behind the abandoned batch) ended after ${nextAfter} ms`);
    } finally {
      await runner.dispose();
    }
  });
});
