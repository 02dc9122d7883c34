/**
 * The LM-head pipeline against the fixture's torch reference (test/fixtures/chat/sycophancy/reference.json):
 * the test-side chat template gives torch's token ids and target masks, exposeLmHead finds the tensor torch
 * names as the lm_head input, the SFT losses and probe log-probs from the collected hidden states match torch,
 * and the per-line lm_head gradient G_i matches torch autograd to ≤ 1e-4 relative.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSession, ort } from '../../../extension/engine/autodiff/ort';
import { featureRows, headParameters } from '../../../extension/engine/chat/lmHead/augmentedHead';
import { collectTokenStates, LmHeadKernels } from '../../../extension/engine/chat/lmHead';
import { keepWeights } from '../../../extension/engine/chat/lmHead/retrain';
import { CHAT_FIXTURES, caseReady, loadChatCase, type ChatCase } from './chatFixture';

interface Reference {
  lm_head_weight: string;
  lm_head_input: string;
  train_examples: { line: number; input_ids: number[]; target_mask: number[]; sft_loss: number }[];
  probes: { id: number; sycophantic: { input_ids: number[]; target_mask: number[]; log_prob: number }; non_sycophantic: { input_ids: number[]; target_mask: number[]; log_prob: number } }[];
  lm_head_gradients: { line: number; shape: [number, number]; values_row_major: number[] }[];
  padded_logits: { input_ids: number[][]; attention_mask: number[][]; logits_first_5_positions_first_8_vocab: number[][][] };
}

describe('chat-lmhead: torch reference (sycophancy fixture)', function () {
  let chat: ChatCase;
  let reference: Reference;

  before(async function () {
    if (!caseReady('sycophancy')) this.skip();
    chat = await loadChatCase('sycophancy');
    reference = JSON.parse(fs.readFileSync(path.join(CHAT_FIXTURES, 'sycophancy', 'reference.json'), 'utf8')) as Reference;
  });

  it('exposes the tensor torch names as the lm_head input, with lm_head.weight as W', () => {
    assert.equal(chat.exposed.hiddenTensor, reference.lm_head_input);
    assert.equal(chat.exposed.weightSource, reference.lm_head_weight);
    assert.equal(chat.exposed.bias, null);
  });

  it('exposed hidden state × Wᵀ reproduces torch\'s logits on right-padded batches', async () => {
    const { input_ids: ids, attention_mask: mask, logits_first_5_positions_first_8_vocab: want } = reference.padded_logits;
    const session = await createSession(chat.exposed.modelBytes);
    try {
      const dims = [ids.length, ids[0].length];
      const { Tensor } = ort();
      const out = await session.run(
        { input_ids: new Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), dims), attention_mask: new Tensor('int64', BigInt64Array.from(mask.flat(), BigInt), dims) },
        [chat.exposed.hiddenTensor],
      );
      const hidden = out[chat.exposed.hiddenTensor].data as Float32Array;
      const d = chat.exposed.hiddenSize;
      want.forEach((positions, b) =>
        positions.forEach((row, t) =>
          row.forEach((logit, v) => {
            let z = 0;
            for (let j = 0; j < d; j++) z += hidden[(b * dims[1] + t) * d + j] * chat.exposed.weight[v * d + j];
            assert.ok(Math.abs(z - logit) <= 1e-4 * Math.max(1, Math.abs(logit)), `sequence ${b} position ${t} token ${v}: ${z} vs torch ${logit}`);
          }),
        ),
      );
    } finally {
      await session.release();
    }
  });

  it('tokenizes training lines and probes exactly as torch did', () => {
    for (const example of reference.train_examples) {
      const sequence = chat.trainSequences[example.line - 1];
      assert.deepEqual(Array.from(sequence.ids), example.input_ids, `line ${example.line}`);
      assert.deepEqual(Array.from(sequence.targetMask), example.target_mask, `line ${example.line}`);
    }
    // Probe j's rows in the collected states must come from torch's rendering of that probe's two answers.
    for (const probe of reference.probes) {
      const j = chat.probes.findIndex((p) => p.id === probe.id);
      for (const [side, torch] of [['matching', probe.sycophantic], ['notMatching', probe.non_sycophantic]] as const) {
        const targets = chat.probeStates[side].targets.filter((_, r) => chat.probeStates[side].sequenceOfRow[r] === j);
        assert.deepEqual(Array.from(targets), torch.input_ids.filter((_, t) => torch.target_mask[t] === 1), `probe ${probe.id} ${side}`);
      }
    }
  });

  it('SFT losses and probe log-probs from the hidden states match torch', async () => {
    const parameters = headParameters(chat.exposed);
    const kernels = new LmHeadKernels(parameters.vocabSize, parameters.cols);
    const session = await createSession(chat.exposed.modelBytes);
    try {
      const sequences = [
        ...reference.train_examples.map((e) => ({ ids: Int32Array.from(e.input_ids), targetMask: Uint8Array.from(e.target_mask) })),
        ...reference.probes.flatMap((p) => [p.sycophantic, p.non_sycophantic]).map((s) => ({ ids: Int32Array.from(s.input_ids), targetMask: Uint8Array.from(s.target_mask) })),
      ];
      const want = [...reference.train_examples.map((e) => -e.sft_loss), ...reference.probes.flatMap((p) => [p.sycophantic.log_prob, p.non_sycophantic.log_prob])];
      const states = await collectTokenStates(session, sequences, { hiddenTensor: chat.exposed.hiddenTensor, batchSize: 3 });
      const { logp } = await kernels.lossGrad(parameters.theta, { features: featureRows(states, parameters), targets: states.targets });
      const got = new Float64Array(sequences.length);
      logp.forEach((x, r) => (got[states.sequenceOfRow[r]] += x));
      want.forEach((x, i) => assert.ok(Math.abs(got[i] - x) <= 1e-4 * Math.max(1, Math.abs(x)), `sequence ${i}: ${got[i]} vs torch ${x}`));
    } finally {
      await session.release();
      await kernels.release();
    }
  });

  it('per-line lm_head gradients G_i match torch autograd (≤ 1e-4 relative)', async () => {
    const parameters = headParameters(chat.exposed);
    const kernels = new LmHeadKernels(parameters.vocabSize, parameters.cols);
    const rows = { features: featureRows(chat.train, parameters), targets: chat.train.targets };
    try {
      for (const torch of reference.lm_head_gradients) {
        const line = torch.line - 1;
        const others = Array.from({ length: chat.train.sequences }, (_, i) => i).filter((i) => i !== line);
        const { grad } = await kernels.lossGrad(parameters.theta, rows, keepWeights(chat.train.sequenceOfRow, chat.train.sequences, others).rowWeight);
        let difference = 0;
        let norm = 0;
        torch.values_row_major.forEach((x, j) => {
          difference += (grad[j] - x) ** 2;
          norm += x * x;
        });
        const relative = Math.sqrt(difference / norm);
        console.log(`      line ${torch.line}: ‖G − G_torch‖ / ‖G_torch‖ = ${relative.toExponential(2)}`);
        assert.ok(relative <= 1e-4, `line ${torch.line}: relative error ${relative}`);
      }
    } finally {
      await kernels.release();
    }
  });
});
