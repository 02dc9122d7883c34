/**
 * Full-model attribution on real third-party models: the six-sentence sentiment model (one logit, so the
 * two-class lift is exercised) where each word's policy has exactly one source line, and the SMS spam MLP
 * (embeddings + hidden layer + head) as a sanity and timing check.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Example } from '../../../extension/engine/data/example';
import { createFeaturizer } from '../../../extension/engine/featurize/createFeaturizer';
import { attributePolicyFullModel } from '../../../extension/engine/attribution/fullModel';
import { decodeModel, tensorToFloat32 } from '../../../extension/engine/model/onnxProto';
import { choleskyFactor, choleskySolve } from '../../../extension/engine/linalg/cholesky';

const EXTERNAL = path.resolve(__dirname, '../../../../../shared/external/models');

function readJsonl(file: string): Example[] {
  const bytes = fs.readFileSync(file);
  const examples: Example[] = [];
  let start = 0;
  for (let line = 1; start < bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end > start) {
      const record = JSON.parse(bytes.subarray(start, end).toString('utf8')) as Record<string, unknown>;
      examples.push({
        id: String(record.id ?? record.row), file, line, endLine: line, byteOffset: start, byteLength: end - start,
        text: String(record.text), label: String(record.label), split: record.split === undefined ? undefined : String(record.split), record,
      });
    }
    start = end + 1;
  }
  return examples;
}

const hasWord = (text: string, word: string): boolean => text.toLowerCase().split(/[^a-z0-9']+/).includes(word);

function ranking(scores: Float64Array): number[] {
  return Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
}

describe('full-model policy attribution (ONNX backward graph)', () => {
  const tinyDir = path.join(EXTERNAL, 'tiny_sentiment_6ex');
  const tinyTrain = readJsonl(path.join(tinyDir, 'train.jsonl'));
  const tinyLabels = Int32Array.from(tinyTrain, (e) => Number(e.label));

  const modelDir = path.join(tinyDir, 'sentiment1');
  const tinyFeaturizer = (inputName?: string) =>
    createFeaturizer({ kind: 'wordVocab', vocab: path.join(modelDir, 'vocab.json'), length: 5, lowercase: true, inputName }, { baseDir: modelDir });

  async function tinyPolicy(word: string, preconditioner: 'identity' | 'diagonalFisher' = 'diagonalFisher') {
    const featurizer = await tinyFeaturizer('tokens');
    const covered = tinyTrain.flatMap((e, i) => (hasWord(e.text, word) ? [i] : []));
    return attributePolicyFullModel({
      modelBytes: fs.readFileSync(path.join(modelDir, 'network.onnx')),
      featurizer, train: tinyTrain, trainLabels: tinyLabels, probes: tinyTrain, coveredProbes: covered,
      actionClass: 1, headParams: ['W', 'b'], batchSize: 4, preconditioner,
    });
  }

  for (const [word, line] of [['result', 3], ['great', 2]] as const) {
    it(`contains("${word}") -> positive is attributed to line ${line} first (diagonal Fisher)`, async () => {
      const result = await tinyPolicy(word);
      const top = ranking(result.influence);
      assert.equal(tinyTrain[top[0]].line, line, `influence ${Array.from(result.influence).map((v) => v.toFixed(4)).join(', ')}`);
      assert.ok(result.influence[top[0]] > 0);
      for (let i = 0; i < tinyTrain.length; i++) {
        assert.ok(Math.abs(result.outputPathway[i] + result.featurePathway[i] - result.influence[i]) < 1e-12);
      }
      // The word's embedding row is read only by its own line: the feature pathway must single it out too.
      assert.equal(tinyTrain[ranking(result.featurePathway)[0]].line, line);
      assert.match(result.method, /diagonal empirical Fisher/);
      assert.match(result.method, /single logit lifted/);
    });
  }

  /** ∂z/∂θ over [S (14), ones_col (5), W, b] and z itself, per training line: z = W·Σ_t S[token_t]·ones_t + b. */
  async function closedForm(): Promise<{ grad: Float64Array; z: number }[]> {
    const model = decodeModel(fs.readFileSync(path.join(modelDir, 'network.onnx')));
    const weight = (name: string) => tensorToFloat32(model.graph!.initializer!.find((t) => t.name === name)!);
    const [S, ones, W, b] = [weight('S.weight'), weight('ones_col'), weight('W')[0], weight('b')[0]];
    const tokens = (await tinyFeaturizer('tokens')).encode(tinyTrain).tokens.data as BigInt64Array;
    return tinyTrain.map((_, i) => {
      const row = Array.from(tokens.subarray(i * 5, i * 5 + 5), Number);
      const grad = new Float64Array(14 + 5 + 2);
      let pooled = 0;
      row.forEach((token, t) => {
        grad[token] += W * ones[t];
        grad[14 + t] = W * S[token];
        pooled += S[token] * ones[t];
      });
      grad[19] = pooled;
      grad[20] = 1;
      return { grad, z: W * pooled + b };
    });
  }
  const dot = (a: Float64Array, c: Float64Array, from: number, to: number) => a.slice(from, to).reduce((sum, v, k) => sum + v * c[from + k], 0);
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

  it('identity preconditioner matches the closed form of z = W·Σ_t S[token_t]·ones_t + b', async () => {
    const dz = await closedForm();
    const result = await tinyPolicy('result', 'identity');
    const probe = dz[2].grad; // "Happy with the result" is the only covered probe
    tinyTrain.forEach((_, i) => {
      const residual = tinyLabels[i] - sigmoid(dz[i].z); // −∂CE/∂z
      const expectHead = residual * dot(probe, dz[i].grad, 19, 21);
      const expectFeature = residual * dot(probe, dz[i].grad, 0, 19);
      assert.ok(Math.abs(result.outputPathway[i] - expectHead) <= 1e-4 * (1 + Math.abs(expectHead)), `line ${i + 1} head ${result.outputPathway[i]} vs ${expectHead}`);
      assert.ok(Math.abs(result.featurePathway[i] - expectFeature) <= 1e-4 * (1 + Math.abs(expectFeature)), `line ${i + 1} feature ${result.featurePathway[i]} vs ${expectFeature}`);
      // Self-influence under the identity is ‖g_i‖² = residual²·‖∇z‖²; relative influence divides by its root.
      // 5e-3 relative: line 3's residual 1 − σ ≈ 1e-4 carries float32 rounding of σ (≈ 1.5e-3 relative, measured).
      const expectSelf = residual ** 2 * dot(dz[i].grad, dz[i].grad, 0, 21);
      assert.ok(Math.abs(result.selfInfluence[i] - expectSelf) <= 5e-3 * expectSelf + 1e-12, `line ${i + 1} self ${result.selfInfluence[i]} vs ${expectSelf}`);
      const expectRelative = (expectHead + expectFeature) / Math.sqrt(expectSelf);
      assert.ok(Math.abs(result.relativeInfluence[i] - expectRelative) <= 1e-3 * (1 + Math.abs(expectRelative)), `line ${i + 1} relative ${result.relativeInfluence[i]} vs ${expectRelative}`);
    });
  });

  for (const fisher of ['empirical', 'true'] as const) {
    it(`TRAK (${fisher} Fisher) matches −q·(ΦᵀΦ/n + λI)⁻¹·g_i solved densely from the closed form`, async () => {
      const dz = await closedForm();
      const p = 21;
      // Empirical: rows g_i = (σ − y)∇z. True Fisher of the two-class lift: Σ_c p_c g(c)g(c)ᵀ = σ(1 − σ)∇z∇zᵀ.
      const curvature = new Float64Array(p * p);
      dz.forEach(({ grad, z }, i) => {
        const s = sigmoid(z);
        const w = fisher === 'true' ? s * (1 - s) : (s - tinyLabels[i]) ** 2;
        for (let a = 0; a < p; a++) for (let c = 0; c < p; c++) curvature[a * p + c] += (w * grad[a] * grad[c]) / dz.length;
      });
      let trace = 0;
      for (let a = 0; a < p; a++) trace += curvature[a * p + a];
      const lambda = (0.1 * trace) / p;
      for (let a = 0; a < p; a++) curvature[a * p + a] += lambda;
      const direction = choleskySolve(choleskyFactor(curvature, p), dz[2].grad);
      const featurizer = await tinyFeaturizer('tokens');
      const result = await attributePolicyFullModel({
        modelBytes: fs.readFileSync(path.join(modelDir, 'network.onnx')),
        featurizer, train: tinyTrain, trainLabels: tinyLabels, probes: tinyTrain, coveredProbes: [2],
        actionClass: 1, headParams: ['W', 'b'], batchSize: 4, preconditioner: 'trak', fisher,
      });
      assert.ok(Math.abs(result.damping! - lambda) <= 1e-4 * lambda, `λ ${result.damping} vs ${lambda}`);
      assert.match(result.method, fisher === 'true' ? /true Fisher/ : /empirical Fisher/);
      tinyTrain.forEach((_, i) => {
        const residual = tinyLabels[i] - sigmoid(dz[i].z);
        const expectHead = residual * dot(direction, dz[i].grad, 19, 21);
        const expectFeature = residual * dot(direction, dz[i].grad, 0, 19);
        const scale = 1e-3 * (1 + Math.abs(expectHead) + Math.abs(expectFeature));
        assert.ok(Math.abs(result.outputPathway[i] - expectHead) <= scale, `line ${i + 1} head ${result.outputPathway[i]} vs ${expectHead}`);
        assert.ok(Math.abs(result.featurePathway[i] - expectFeature) <= scale, `line ${i + 1} feature ${result.featurePathway[i]} vs ${expectFeature}`);
        // g_iᵀ M g_i with g_i = (σ − y)∇z and the same dense M.
        const solved = choleskySolve(choleskyFactor(curvature, p), dz[i].grad);
        const expectSelf = residual ** 2 * dot(solved, dz[i].grad, 0, p);
        assert.ok(Math.abs(result.selfInfluence[i] - expectSelf) <= 5e-3 * expectSelf + 1e-12, `line ${i + 1} self ${result.selfInfluence[i]} vs ${expectSelf}`);
      });
    });
  }

  it('identity preconditioner: the perfectly fit "result" line has almost no loss gradient, so it is not ranked first', async () => {
    // Line 3 has p(positive) ≈ 0.9999, so g_3 = (p − 1)·∇z ≈ 1e-4·∇z: the known blind spot of unpreconditioned scores.
    const result = await tinyPolicy('result', 'identity');
    const top = ranking(result.influence);
    assert.equal(tinyTrain[top[0]].line, 1, Array.from(result.influence).map((v) => v.toFixed(4)).join(', '));
    assert.ok(result.influence[2] < 0.1 * result.influence[top[0]]);
    assert.match(result.method, /identity preconditioner/);
  });

  it('names the model input a featurizer does not feed', async () => {
    await assert.rejects(
      attributePolicyFullModel({
        modelBytes: fs.readFileSync(path.join(modelDir, 'network.onnx')),
        featurizer: await tinyFeaturizer('words'), train: tinyTrain, trainLabels: tinyLabels, probes: tinyTrain, coveredProbes: [0],
        actionClass: 1, headParams: ['W', 'b'],
      }),
      /model input 'tokens' is not produced by the featurizer \(it produces 'words'\)/,
    );
  });

  it('rejects a head parameter the model does not have', async () => {
    const featurizer = await tinyFeaturizer('tokens');
    await assert.rejects(
      attributePolicyFullModel({
        modelBytes: fs.readFileSync(path.join(modelDir, 'network.onnx')),
        featurizer, train: tinyTrain, trainLabels: tinyLabels, probes: tinyTrain, coveredProbes: [0],
        actionClass: 1, headParams: ['fc2.weight'],
      }),
      /head parameter 'fc2.weight'/,
    );
  });

  it('TRAK without a projection on a 16k-parameter model asks for one instead of building a 16k² matrix', async () => {
    const dir = path.join(EXTERNAL, 'sms_spam_embedding_mlp');
    const train = readJsonl(path.join(dir, 'sms_spam_with_split.jsonl')).slice(0, 50);
    const featurizer = await createFeaturizer({ kind: 'wordVocab', vocab: path.join(dir, 'vocab.json'), length: 100 }, { baseDir: dir });
    await assert.rejects(
      attributePolicyFullModel({
        modelBytes: fs.readFileSync(path.join(dir, 'network.onnx')),
        featurizer, train, trainLabels: Int32Array.from(train, (e) => (e.label === 'spam' ? 1 : 0)), probes: train, coveredProbes: [0],
        actionClass: 1, headParams: ['fc2.weight', 'fc2.bias'], preconditioner: 'trak',
      }),
      /'trak' preconditioner holds every line's gradient and a 16627×16627 curvature: set a LoGra projection/,
    );
  });

  it('SMS spam MLP: contains("free") -> spam over the test split (sanity and timing)', async () => {
    const dir = path.join(EXTERNAL, 'sms_spam_embedding_mlp');
    const all = readJsonl(path.join(dir, 'sms_spam_with_split.jsonl'));
    const train = all.filter((e) => e.split === 'train');
    const probes = all.filter((e) => e.split === 'test');
    const covered = probes.flatMap((e, i) => (hasWord(e.text, 'free') ? [i] : []));
    const featurizer = await createFeaturizer({ kind: 'wordVocab', vocab: path.join(dir, 'vocab.json'), length: 100 }, { baseDir: dir });
    const runs = [
      { preconditioner: 'identity', projection: null },
      { preconditioner: 'diagonalFisher', projection: null },
      { preconditioner: 'diagonalFisher', projection: { kIn: 8, kOut: 8, seed: 0 } },
    ] as const;
    for (const { preconditioner, projection } of runs) {
      const started = process.hrtime.bigint();
      const result = await attributePolicyFullModel({
        modelBytes: fs.readFileSync(path.join(dir, 'network.onnx')),
        featurizer, train, trainLabels: Int32Array.from(train, (e) => (e.label === 'spam' ? 1 : 0)), probes, coveredProbes: covered,
        actionClass: 1, headParams: ['fc2.weight', 'fc2.bias'], batchSize: 128, preconditioner, projection,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const order = ranking(result.influence);
      const top20 = order.slice(0, 20).map((i) => train[i]);
      const spam = top20.filter((e) => e.label === 'spam').length;
      const spamFree = top20.filter((e) => e.label === 'spam' && hasWord(e.text, 'free')).length;
      const headShare = order.slice(0, 20).reduce((sum, i) => sum + result.outputPathway[i], 0) / order.slice(0, 20).reduce((sum, i) => sum + result.influence[i], 0);
      const byDirection = ranking(result.influence.map((v, i) => (result.trainGradientNorm[i] > 0 ? v / result.trainGradientNorm[i] : 0)));
      const directionTop20 = byDirection.slice(0, 20).map((i) => train[i]);
      const opponents = order.slice(-5).reverse().map((i) => `${train[i].line} ${train[i].label} ${result.influence[i].toExponential(2)} ${train[i].text.slice(0, 60)}`);
      console.log(`      ${preconditioner}${projection ? ' projected' : ''}: ${train.length} lines, ${covered.length} covered probes, ${seconds.toFixed(1)} s; top-20: ${spam} spam, ${spamFree} spam with "free"; head share of top-20 influence ${headShare.toFixed(2)}`);
      console.log(`        influence/‖g‖ top-20: ${directionTop20.filter((e) => e.label === 'spam').length} spam, ${directionTop20.filter((e) => e.label === 'spam' && hasWord(e.text, 'free')).length} spam with "free"`);
      console.log(`        strongest opponents:\n          ${opponents.join('\n          ')}`);
      console.log(`        method: ${result.method}`);
      assert.ok(result.influence.every(Number.isFinite));
      assert.ok(spam >= 10, `only ${spam} spam lines among the top-20 proponents of a spam policy`);
    }
    assert.ok(covered.length > 0);
  });
});
