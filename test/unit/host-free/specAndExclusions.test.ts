import * as assert from 'node:assert/strict';
import { addExclusion, parseExclusions, serializeExclusions } from '../../../extension/host/exclusionList';
import { chooseFeaturizer, draftSpec, guessField, labelsFromSample } from '../../../extension/host/specDraft';
import { reportProblem } from '../../../extension/shared/reportCheck';
import { loadFixtureReport } from './loadFixture';

describe('audit spec draft', () => {
  const base = { specDir: '/ws', modelPath: '/ws/models/network.onnx', inputs: [{ name: 'input', type: 'int64', shape: ['batch', 100] }], train: ['/ws/data/train.jsonl'], probe: [], fields: { text: 'text', label: 'label' } };

  it('uses a word vocab beside the model with the length the model declares', () => {
    assert.deepEqual(chooseFeaturizer({ ...base, vocabPath: '/ws/models/vocab.json' }), { kind: 'wordVocab', vocab: 'models/vocab.json', length: 100, lowercase: true, inputName: 'input' });
  });
  it('prefers tokenizer.json and lists every model input', () => {
    const featurizer = chooseFeaturizer({ ...base, tokenizerPath: '/ws/models/tokenizer.json', vocabPath: '/ws/models/vocab.json', inputs: [{ name: 'input_ids', type: 'int64', shape: ['b', 'seq'] }, { name: 'attention_mask', type: 'int64' }] });
    assert.deepEqual(featurizer, { kind: 'hfTokenizer', tokenizer: 'models/tokenizer.json', maxLength: 128, inputNames: ['input_ids', 'attention_mask'] });
  });
  it('falls back to numeric or string inputs', () => {
    assert.equal(chooseFeaturizer({ ...base, inputs: [{ name: 'float_input', type: 'float32', shape: ['N', 50] }] }).kind, 'numeric');
    assert.equal(chooseFeaturizer({ ...base, inputs: [{ name: 'text', type: 'string' }] }).kind, 'strings');
  });
  it('writes paths relative to the spec and only the fields that were chosen', () => {
    const spec = draftSpec({ ...base, vocabPath: '/ws/models/vocab.json', probe: ['/ws/data/probe.jsonl'], labels: ['ham', 'spam'], fields: { text: 'text', label: 'label', group: undefined } });
    assert.deepEqual(spec, {
      checkpoint: 'models/network.onnx',
      featurizer: { kind: 'wordVocab', vocab: 'models/vocab.json', length: 100, lowercase: true, inputName: 'input' },
      train: ['data/train.jsonl'],
      probe: ['data/probe.jsonl'],
      fields: { text: 'text', label: 'label' },
      labels: ['ham', 'spam'],
      hypotheses: [],
    });
  });
  it('guesses likely field names and labels from a sample', () => {
    assert.equal(guessField(['row', 'Message', 'Class'], 'text'), 'Message');
    assert.equal(guessField(['row', 'Message', 'Class'], 'label'), 'Class');
    assert.equal(guessField(['a', 'b'], 'label'), undefined);
    assert.deepEqual(labelsFromSample([{ y: 'spam' }, { y: 'ham' }, { y: 'spam' }, { y: { nested: 1 } }], 'y'), ['ham', 'spam']);
    assert.deepEqual(labelsFromSample([{ y: 10 }, { y: 9 }], 'y'), ['9', '10']);
  });
});

describe('exclusion list', () => {
  it('treats an empty file as an empty list and adds entries once, sorted', () => {
    let list = parseExclusions('', 'x.json');
    list = addExclusion(list, { file: 'b.jsonl', line: 3, id: 'b3', reason: 'P1' }).list;
    list = addExclusion(list, { file: 'a.jsonl', line: 9, id: 'a9', reason: 'P1' }).list;
    const again = addExclusion(list, { file: 'a.jsonl', line: 9, id: 'other', reason: 'P2' });
    assert.equal(again.added, false);
    assert.deepEqual(parseExclusions(serializeExclusions(again.list), 'x.json').map((e) => `${e.file}:${e.line}`), ['a.jsonl:9', 'b.jsonl:3']);
  });
  it('names the file when the list is broken', () => {
    assert.throws(() => parseExclusions('{"not": "a list"}', '/ws/.policytrace/exclusions.json'), /\/ws\/\.policytrace\/exclusions\.json: the exclusion list must be a JSON array/);
    assert.throws(() => parseExclusions('[{"file": "a", "line": 0}]', 'e.json'), /e\.json: entry 0/);
    assert.throws(() => parseExclusions('[', 'e.json'), /e\.json: the exclusion list is not valid JSON/);
  });
});

describe('report check', () => {
  it('accepts the fixture report and refuses wrong versions and shapes', () => {
    assert.equal(reportProblem(loadFixtureReport()), undefined);
    assert.match(reportProblem({ ...loadFixtureReport(), schemaVersion: 2 }) ?? '', /schema version 2/);
    assert.match(reportProblem([]) ?? '', /not a JSON object/);
    assert.match(reportProblem({ ...loadFixtureReport(), attribution: {} }) ?? '', /attribution/);
  });
});
