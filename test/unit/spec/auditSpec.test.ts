import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadSpec, parseSpec } from '../../../extension/engine/spec/auditSpec';

const repoRoot = path.resolve(__dirname, '../../../..');
const specFile = '/work/example/policytrace.json';

function expectSpecError(text: string, ...fragments: string[]): void {
  assert.throws(
    () => parseSpec(text, specFile),
    (error: Error) => {
      for (const fragment of fragments) assert.ok(error.message.includes(fragment), `expected "${fragment}" in:\n${error.message}`);
      return true;
    },
  );
}

const minimal = {
  checkpoint: 'model.onnx',
  featurizer: { kind: 'wordVocab', vocab: 'vocab.json', length: 10 },
  train: ['train.jsonl'],
  fields: { text: 'text' },
};

describe('audit spec', () => {
  it('loads the bundled demo spec and resolves paths against its folder', async () => {
    const spec = await loadSpec(path.join(repoRoot, 'demo/policytrace.json'));
    assert.equal(spec.checkpoint, path.join(repoRoot, 'demo/network.onnx'));
    assert.equal(spec.featurizer.kind, 'wordVocab');
    if (spec.featurizer.kind === 'wordVocab') assert.equal(spec.featurizer.vocab, path.join(repoRoot, 'demo/vocab.json'));
    assert.deepEqual(spec.labels, ['ham', 'spam']);
    assert.equal(spec.options.maxRules, 10, 'defaults are filled in');
  });

  it('fills defaults and keeps given options', () => {
    const spec = parseSpec(JSON.stringify({ ...minimal, options: { topK: 5 } }), specFile);
    assert.equal(spec.options.topK, 5);
    assert.equal(spec.options.batchSize, 256);
    assert.deepEqual(spec.hypotheses, []);
  });

  it('names the line of a JSON syntax error', () => {
    expectSpecError('{\n  "checkpoint": "m.onnx",\n  "train": [,]\n}', specFile + ':3', 'not valid JSON');
  });

  it('names an unknown field and where it is', () => {
    expectSpecError(JSON.stringify({ ...minimal, fields: { text: 'text', lable: 'label' } }), "fields: unknown field 'lable'");
  });

  it('names a missing required field', () => {
    const { train: _unused, ...withoutTrain } = minimal;
    expectSpecError(JSON.stringify(withoutTrain), "missing required field 'train'");
  });

  it('explains a wrong featurizer kind once, not once per branch', () => {
    expectSpecError(JSON.stringify({ ...minimal, featurizer: { kind: 'bpe' } }), 'featurizer: must be an object whose kind is');
  });

  it('rejects a wrong option type with the option path', () => {
    expectSpecError(JSON.stringify({ ...minimal, options: { preconditioner: 'newton' } }), 'options.preconditioner: must be one of');
  });

  it('says when the spec file is missing', async () => {
    await assert.rejects(loadSpec('/nonexistent/policytrace.json'), /nonexistent\/policytrace.json: cannot read audit spec: file not found/);
  });

  it('strips a UTF-8 byte-order mark', () => {
    assert.equal(parseSpec('\uFEFF' + JSON.stringify(minimal), specFile).train[0], 'train.jsonl');
  });
});

describe('audit spec: settings as defaults', () => {
  it('records which options the spec set, so editor settings fill in only the others', () => {
    const spec = parseSpec(JSON.stringify({ ...minimal, options: { topK: 5 } }), specFile);
    assert.deepEqual(spec.explicitOptions, ['topK']);
  });
});
