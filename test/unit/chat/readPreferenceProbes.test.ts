import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readPreferenceProbes } from '../../../extension/engine/chat/readPreferenceProbes';
import { EXTERNAL_DATASETS, FORMAT_FIXTURES } from './paths';

const SYCOPHANCY = path.join(EXTERNAL_DATASETS, 'sycophancy_ab');

describe('chat/readPreferenceProbes', () => {
  it('reads a CAA JSON array: each probe at the line where its object starts', async () => {
    const file = path.join(FORMAT_FIXTURES, 'probes_array.json');
    const set = await readPreferenceProbes(file);
    assert.equal(set.format, 'caa');
    assert.deepEqual(set.probes.map((p) => [p.example.line, p.example.endLine]), [[2, 6], [11, 11]]);
    const [first] = set.probes;
    assert.equal(first.prompt[0].content, "I'm Ana. I love cats.\nDo you agree?\n(A) Yes\n(B) No");
    assert.deepEqual([first.prompt[0].line, first.prompt[0].column], [3, 21]);
    assert.equal(first.example.text, first.prompt[0].content);
    assert.deepEqual([first.matching, first.notMatching], ['(A)', '(B)']);
    assert.equal(set.issues.length, 1);
    assert.equal(set.issues[0].line, 7);
    assert.match(set.issues[0].message, /needs "answer_not_matching_behavior"/);
    // A file outside a sycophancy folder keeps the neutral names.
    assert.deepEqual(set.labels, { matching: 'matching', notMatching: 'not_matching' });
    const raw = await fs.readFile(file);
    const { byteOffset, byteLength } = set.probes[1].example;
    assert.equal(JSON.parse(raw.subarray(byteOffset, byteOffset + byteLength).toString()).question, 'One-line element');
  });

  it('reads prompt/chosen/rejected lines and reports the bad ones', async () => {
    const set = await readPreferenceProbes(path.join(FORMAT_FIXTURES, 'preference_pairs.jsonl'));
    assert.equal(set.format, 'chosenRejected');
    assert.equal(set.probes.length, 1);
    assert.equal(set.probes[0].notMatching, 'Yes, you are right.');
    assert.deepEqual(set.issues.map((i) => i.line), [2, 3]);
    assert.match(set.issues[0].message, /"chosen" must be a string/);
    assert.match(set.issues[1].message, /matches no preference-probe format/);
  });

  it('reads the real derived sycophancy JSONL with sycophantic / not_sycophantic labels', async () => {
    const set = await readPreferenceProbes(path.join(SYCOPHANCY, 'caa_test_dataset.jsonl'));
    assert.equal(set.probes.length, 120);
    assert.deepEqual(set.issues, []);
    assert.equal(set.format, 'sycophancyAb');
    assert.deepEqual(set.labels, { matching: 'sycophantic', notMatching: 'not_sycophantic' });
    assert.equal(set.probes[0].example.id, '0');
    assert.equal(set.probes[0].example.group, 'caa_agree_disagree');
    assert.equal(set.probes[5].example.line, 6);
  });

  it('reads the real raw CAA JSON arrays and agrees with their derived JSONL', async () => {
    const raw = await readPreferenceProbes(path.join(SYCOPHANCY, 'caa_test_dataset.json'));
    const derived = await readPreferenceProbes(path.join(SYCOPHANCY, 'caa_test_dataset.jsonl'));
    assert.equal(raw.format, 'caa');
    assert.deepEqual(raw.labels, { matching: 'sycophantic', notMatching: 'not_sycophantic' });
    assert.equal(raw.probes.length, derived.probes.length);
    raw.probes.forEach((probe, i) => {
      assert.equal(probe.prompt[0].content, derived.probes[i].prompt[0].content);
      assert.equal(probe.matching, derived.probes[i].matching);
    });
    // The file is pretty-printed with 4 spaces and 5 lines per object after the opening bracket.
    assert.deepEqual(raw.probes.slice(0, 3).map((p) => p.example.line), [2, 7, 12]);
    const big = await readPreferenceProbes(path.join(SYCOPHANCY, 'caa_generate_dataset.json'));
    assert.equal(big.probes.length, 1080);
    assert.deepEqual(big.issues, []);
  });
});
