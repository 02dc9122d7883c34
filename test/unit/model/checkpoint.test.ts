import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveCheckpoint } from '../../../extension/engine/model/checkpoint';
import { EXTERNAL_MODELS, SMS_MODEL } from './paths';

describe('resolveCheckpoint', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-checkpoint-'));
  });
  afterEach(async () => fs.rm(dir, { recursive: true, force: true }));

  it('takes an .onnx file and finds vocab.json beside it', async () => {
    const checkpoint = await resolveCheckpoint(SMS_MODEL);
    assert.equal(checkpoint.modelPath, SMS_MODEL);
    assert.equal(checkpoint.vocabPath, path.join(path.dirname(SMS_MODEL), 'vocab.json'));
    assert.equal(checkpoint.tokenizerPath, undefined);
  });

  it('finds the single network.onnx in a real model folder', async () => {
    const checkpoint = await resolveCheckpoint(path.join(EXTERNAL_MODELS, 'sms_spam_embedding_mlp'));
    assert.equal(checkpoint.modelPath, SMS_MODEL);
  });

  it('reads the optimum layout onnx/model.onnx with tokenizer and id2label config in the parent folder', async () => {
    await fs.mkdir(path.join(dir, 'onnx'));
    await fs.writeFile(path.join(dir, 'onnx', 'model.onnx'), 'x');
    await fs.writeFile(path.join(dir, 'tokenizer.json'), '{}');
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ id2label: { 1: 'POSITIVE', 0: 'NEGATIVE' } }));
    const checkpoint = await resolveCheckpoint(dir);
    assert.equal(checkpoint.modelPath, path.join(dir, 'onnx', 'model.onnx'));
    assert.equal(checkpoint.tokenizerPath, path.join(dir, 'tokenizer.json'));
    assert.deepEqual(checkpoint.classNames, ['NEGATIVE', 'POSITIVE']);
  });

  it('prefers model.onnx over other .onnx files', async () => {
    await fs.writeFile(path.join(dir, 'model.onnx'), 'x');
    await fs.writeFile(path.join(dir, 'model_quantized.onnx'), 'x');
    assert.equal((await resolveCheckpoint(dir)).modelPath, path.join(dir, 'model.onnx'));
  });

  it('refuses a folder with several .onnx files and no model.onnx, listing them', async () => {
    await fs.writeFile(path.join(dir, 'a.onnx'), 'x');
    await fs.writeFile(path.join(dir, 'b.onnx'), 'x');
    await assert.rejects(resolveCheckpoint(dir), (e: Error) => /a\.onnx, b\.onnx/.test(e.message) && e.message.startsWith(dir));
  });

  it('says what it looked for in a folder without a model', async () => {
    await fs.writeFile(path.join(dir, 'notes.txt'), 'x');
    await assert.rejects(resolveCheckpoint(dir), (e: Error & { code?: string }) => e.code === 'model-not-found' && /model\.onnx, onnx\/model\.onnx/.test(e.message));
  });

  it('names a missing path and a non-.onnx file', async () => {
    const missing = path.join(dir, 'nope.onnx');
    await assert.rejects(resolveCheckpoint(missing), (e: Error) => e.message.startsWith(missing));
    await fs.writeFile(path.join(dir, 'model.bin'), 'x');
    await assert.rejects(resolveCheckpoint(path.join(dir, 'model.bin')), /expected an \.onnx file/);
  });

  it('reports a config.json whose id2label has a gap, naming the entry', async () => {
    await fs.writeFile(path.join(dir, 'model.onnx'), 'x');
    await fs.writeFile(path.join(dir, 'config.json'), JSON.stringify({ id2label: { 0: 'a', 2: 'c' } }));
    await assert.rejects(resolveCheckpoint(dir), (e: Error) => e.message.includes('config.json') && e.message.includes('id2label.2'));
  });
});
