import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit } from '../../../extension/engine/audit/runAudit';

const repoRoot = path.resolve(__dirname, '../../../..');
const external = path.resolve(repoRoot, '../shared/external/models');

async function writeSpec(spec: object): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'policytrace-spec-'));
  const file = path.join(dir, 'policytrace.json');
  await fs.writeFile(file, JSON.stringify(spec));
  return file;
}

describe('audit pipeline: predictions', () => {
  it('reproduces the SMS model’s published accuracies on its real split (train 0.9910, test 0.9776)', async () => {
    const report = await runAudit({ specPath: path.join(repoRoot, 'demo/policytrace.json'), predictOnly: true });
    const train = report.metrics.find((m) => m.split === 'train')!;
    const probe = report.metrics.find((m) => m.split === 'probe')!;
    assert.equal(train.examples, 4459);
    assert.equal(probe.examples, 1115);
    assert.equal(train.accuracy!.toFixed(4), '0.9910');
    assert.equal(probe.accuracy!.toFixed(4), '0.9776');
    assert.equal(report.model.head?.node, '/fc2/Gemm');
    assert.equal(report.model.head?.inputDim, 32);
    assert.ok(report.predictions.length <= 200, 'prediction rows are capped');
    assert.ok(report.predictions.every((row) => row.line >= 1 && row.file.endsWith('sms_spam_with_split.jsonl')));
  });

  for (const model of ['sentiment1', 'simple_text_classification0', 'sentiment_simple', 'sentiment_sum']) {
    it(`the six-sentence model ${model} reproduces its six training labels`, async () => {
      const dir = path.join(external, 'tiny_sentiment_6ex');
      const specPath = await writeSpec({
        checkpoint: path.join(dir, model, 'network.onnx'),
        featurizer: { kind: 'wordVocab', vocab: path.join(dir, model, 'vocab.json'), length: 5, lowercase: true },
        train: [path.join(dir, 'train.jsonl')],
        probe: [path.join(dir, 'train.jsonl')],
        fields: { text: 'text', label: 'label', id: 'id' },
        labels: ['negative', 'positive'],
        // Two of the models take a fixed batch of one.
        options: { batchSize: 1 },
      });
      const report = await runAudit({ specPath, predictOnly: true });
      const train = report.metrics.find((m) => m.split === 'train')!;
      assert.equal(train.examples, 6);
      assert.equal(train.accuracy, 1, JSON.stringify(report.predictions.map((p) => [p.line, p.label, p.predicted])));
    });
  }

  it('a wrong field path fails with one message naming the path and the file', async () => {
    const dir = path.join(external, 'sms_spam_embedding_mlp');
    const specPath = await writeSpec({
      checkpoint: path.join(dir, 'network.onnx'),
      featurizer: { kind: 'wordVocab', vocab: path.join(dir, 'vocab.json'), length: 100 },
      train: [path.join(dir, 'sms_spam_with_split.jsonl')],
      fields: { text: 'message', label: 'label' },
    });
    await assert.rejects(runAudit({ specPath, predictOnly: true }), (error: Error) => {
      assert.match(error.message, /sms_spam_with_split\.jsonl/);
      assert.match(error.message, /message/);
      return true;
    });
  });

  it('cancelling stops the audit with a cancellation error', async () => {
    const controller = new AbortController();
    const running = runAudit({
      specPath: path.join(repoRoot, 'demo/policytrace.json'),
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'predict') controller.abort();
      },
    });
    await assert.rejects(running, (error: Error) => /cancel|abort/i.test(error.message) || error.name === 'AbortError');
  });
});
