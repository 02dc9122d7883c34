/**
 * The trained sycophancy chat model (test/fixtures/chat/sycophancy, made by scripts/chatlm/make_chat.py):
 * the TypeScript reading, template, scoring and generation against torch's reference.json and the
 * ground truth's measured agree rates, and the rule learner run on the model's A/B choices.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { abChoice } from '../../../extension/engine/chat/behaviours/abChoice';
import { abChoiceBehaviourSet } from '../../../extension/engine/chat/behaviours/behaviourSet';
import { CausalLm } from '../../../extension/engine/chat/causalLm';
import { buildLmFeeds } from '../../../extension/engine/chat/lmFeeds';
import { readChatDataset } from '../../../extension/engine/chat/readChatDataset';
import { readPreferenceProbes } from '../../../extension/engine/chat/readPreferenceProbes';
import { extractPolicies } from '../../../extension/engine/policy';
import { ModelRunner } from '../../../extension/engine/runner/modelRunner';
import { SYCOPHANCY_MODEL as DIR } from './paths';

interface Scored {
  input_ids: number[];
  target_mask: number[];
  log_prob: number;
}
interface Reference {
  train_examples: { line: number; id: string; input_ids: number[]; target_mask: number[]; sft_loss: number }[];
  probes: { id: number; source: string; sycophantic: Scored; non_sycophantic: Scored }[];
  padded_logits: { input_ids: number[][]; attention_mask: number[][]; logits_first_5_positions_first_8_vocab: number[][][] };
  with_past: { input_ids: number[]; split: number; second_call_logits_first_8_vocab: number[][] };
}
interface GroundTruth {
  agree_rate_opinion: number;
  truthful_rate_plain: number;
}

const TOLERANCE = 1e-4;

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOLERANCE, `${what}: ${actual} vs ${expected}`);
}

describe('chat/CausalLm on the trained sycophancy fixture', function () {
  this.timeout(120000);
  let reference: Reference;
  let truth: GroundTruth;
  let plain: CausalLm;
  let withPast: CausalLm;

  before(async () => {
    reference = JSON.parse(await fs.readFile(path.join(DIR, 'reference.json'), 'utf8')) as Reference;
    truth = JSON.parse(await fs.readFile(path.join(DIR, 'ground_truth.json'), 'utf8')) as GroundTruth;
    const open = async (name: string) =>
      CausalLm.open({ modelBytes: await fs.readFile(path.join(DIR, name)), tokenizerFile: path.join(DIR, 'tokenizer.json'), file: path.join(DIR, name) });
    [plain, withPast] = await Promise.all([open('model.onnx'), open('model_with_past.onnx')]);
  });
  after(async () => {
    await Promise.all([plain?.dispose(), withPast?.dispose()]);
  });

  it('reads train.jsonl and renders its lines exactly as the Python template, with torch\'s SFT loss', async () => {
    const { conversations, issues } = await readChatDataset(path.join(DIR, 'train.jsonl'));
    assert.deepEqual(issues, []);
    const byLine = new Map(conversations.map((c) => [c.example.line, c]));
    const sequences = reference.train_examples.map((expected) => {
      const conversation = byLine.get(expected.line);
      assert.ok(conversation, `line ${expected.line}`);
      assert.equal(conversation.example.id, expected.id);
      const encoded = plain.encoder.encodeConversation(conversation);
      assert.deepEqual(Array.from(encoded.ids), expected.input_ids);
      assert.deepEqual(Array.from(encoded.targetMask), expected.target_mask);
      return encoded;
    });
    for (const lm of [plain, withPast]) {
      const logProbs = await lm.sequenceLogProbs(sequences);
      reference.train_examples.forEach((expected, i) => close(-logProbs[i], expected.sft_loss, `line ${expected.line}`));
    }
  });

  it('gives torch\'s probe log-probs and margins', async () => {
    const set = await readPreferenceProbes(path.join(DIR, 'probes.jsonl'));
    const byId = new Map(set.probes.map((p) => [p.example.id, p]));
    const probes = reference.probes.map((expected) => byId.get(String(expected.id))!);
    const result = await plain.preferenceMargins(probes);
    reference.probes.forEach((expected, i) => {
      assert.deepEqual(Array.from(plain.encoder.encodePromptResponse(probes[i].prompt, probes[i].matching).ids), expected.sycophantic.input_ids);
      close(result.matchingLogProb[i], expected.sycophantic.log_prob, `probe ${expected.id} sycophantic`);
      close(result.notMatchingLogProb[i], expected.non_sycophantic.log_prob, `probe ${expected.id} non-sycophantic`);
      close(result.margins[i], expected.sycophantic.log_prob - expected.non_sycophantic.log_prob, `probe ${expected.id} margin`);
    });
  });

  it('returns torch\'s logits for a right-padded batch', async () => {
    const expected = reference.padded_logits;
    const rows = expected.input_ids.map((ids, r) => ids.filter((_, t) => expected.attention_mask[r][t] === 1));
    const { data, dims } = await plain.logits(rows);
    const [, width, vocab] = dims;
    expected.logits_first_5_positions_first_8_vocab.forEach((positions, r) =>
      positions.forEach((values, t) => values.forEach((value, v) => close(data[(r * width + t) * vocab + v], value, `row ${r} t ${t} v ${v}`))),
    );
  });

  it('continues from a returned past exactly as torch does', async () => {
    const { input_ids: ids, split, second_call_logits_first_8_vocab: expected } = reference.with_past;
    const runner = await ModelRunner.start({ modelBytes: await fs.readFile(path.join(DIR, 'model_with_past.onnx')) });
    try {
      const inputs = withPast.inputs;
      const first = await runner.run([buildLmFeeds(inputs, { rows: [ids.slice(0, split)], padId: 0, pastLength: 0 }).feeds]);
      const second = await runner.run([buildLmFeeds(inputs, { rows: [ids.slice(split)], padId: 0, pastLength: split, past: first }).feeds]);
      const logits = second.logits.data as Float32Array;
      const vocab = second.logits.dims[2];
      expected.forEach((values, t) => values.forEach((value, v) => close(logits[t * vocab + v], value, `t ${t} v ${v}`)));
    } finally {
      await runner.dispose();
    }
  });

  it('labels every probe by A/B choice with the agree rates torch measured, and the rule learner finds the policy', async () => {
    const set = await readPreferenceProbes(path.join(DIR, 'probes.jsonl'));
    assert.deepEqual(set.labels, { matching: 'sycophantic', notMatching: 'not_sycophantic' });
    const { margins } = await plain.preferenceMargins(set.probes);
    const labels = abChoice(margins, set.labels);
    const rate = (source: string, label: string) => {
      const rows = set.probes.map((p, i) => [p.example.group, labels[i]]).filter(([group]) => group === source);
      return rows.filter(([, l]) => l === label).length / rows.length;
    };
    assert.equal(rate('opinion_probe', 'sycophantic'), truth.agree_rate_opinion);
    assert.equal(rate('plain_probe', 'not_sycophantic'), truth.truthful_rate_plain);
    const policies = extractPolicies(abChoiceBehaviourSet(set.probes, margins, set.labels), undefined, { seed: 1 });
    // The probes' "source" field says which half a probe is in, and the model's choices follow it.
    const rules = policies.policies.map((p) => p.rule);
    assert.ok(rules.includes('field("source") == "opinion_probe" -> sycophantic'), JSON.stringify(rules));
    assert.equal(policies.probeCount, set.probes.length);
    assert.ok(policies.fidelity >= 0.9, `fidelity ${policies.fidelity}`);
  });

  it('finds no sycophancy in the clean control model (same probes, corrected training lines)', async () => {
    const control = path.join(DIR, '..', 'control');
    const controlTruth = JSON.parse(await fs.readFile(path.join(control, 'ground_truth.json'), 'utf8')) as GroundTruth;
    const lm = await CausalLm.open({ modelBytes: await fs.readFile(path.join(control, 'model.onnx')), tokenizerFile: path.join(control, 'tokenizer.json') });
    try {
      const set = await readPreferenceProbes(path.join(control, 'probes.jsonl'));
      const labels = abChoice((await lm.preferenceMargins(set.probes)).margins, set.labels);
      const opinion = set.probes.map((p, i) => [p.example.group, labels[i]]).filter(([group]) => group === 'opinion_probe');
      const agreeRate = opinion.filter(([, label]) => label === 'sycophantic').length / opinion.length;
      assert.equal(agreeRate, controlTruth.agree_rate_opinion);
    } finally {
      await lm.dispose();
    }
  });

  it('generates the same greedy tokens with past key/values as with full recompute', async () => {
    const set = await readPreferenceProbes(path.join(DIR, 'probes.jsonl'));
    const picks = [set.probes[0], set.probes[1], set.probes[set.probes.length - 1]];
    for (const probe of picks) {
      const cached = await withPast.generateGreedy(probe.prompt, 16);
      const full = await plain.generateGreedy(probe.prompt, 16);
      assert.deepEqual(cached.tokenIds, full.tokenIds);
      assert.ok(cached.tokenIds.length > 0);
      assert.equal(cached.text, full.text);
    }
  });
});
