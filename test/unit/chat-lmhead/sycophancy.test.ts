/**
 * LM-head attribution on the chat fixture (test/fixtures/chat/): a tiny GPT fine-tuned on 2,000 conversations
 * of which 60 (3%) agree with the user's stated wrong opinion. The policy "opinion probes → sycophantic answer"
 * must trace to the poison lines (AUC, precision@k), and removing the top-k lines and retraining the lm_head
 * must cut the agree rate far more than removing k random lines (3 seeds). The clean control is measured.
 * Hidden states are collected once per case (chatFixture.ts); the L2 search runs once per case here.
 *
 * Measured (benchmark.ts, 2 cores): influence on the shipped head (memorised by Adam, no L2) reaches only
 * AUC 0.53–0.70; at the retrained baseline (L2 0.01, chosen against the shipped head's behaviour, no ground
 * truth) K-FAC gives AUC 1.0000, p@60 1.000, identity and EK-FAC 0.9999 / 0.983. Removing the K-FAC top 60:
 * agree rate 100% → 9%, random 60 lines: 100% (3 seeds).
 */
import * as assert from 'node:assert/strict';
import { precisionAtK, rocAuc, topIndices } from '../../../extension/engine/attribution/metrics';
import { attributeLmPolicy, chooseLmL2, lmHeadInfluence, LmHeadKernels, verifyLmPolicy, type LmHead, type LmL2Choice } from '../../../extension/engine/chat/lmHead';
import { caseReady, loadChatCase, type ChatCase } from './chatFixture';

function headOf(chat: ChatCase): LmHead {
  const { weight, bias, vocabSize, hiddenSize } = chat.exposed;
  return { weight, bias, vocabSize, hiddenSize };
}

interface Prepared {
  chat: ChatCase;
  kernels: LmHeadKernels;
  choice: LmL2Choice;
}

async function prepare(name: 'sycophancy' | 'control'): Promise<Prepared> {
  const chat = await loadChatCase(name);
  const kernels = new LmHeadKernels(chat.exposed.vocabSize, chat.exposed.hiddenSize);
  const started = performance.now();
  const choice = await chooseLmL2(headOf(chat), chat.train, chat.probeStates, kernels);
  console.log(`      ${name}: ${chat.train.sequences} lines, ${chat.train.targets.length} trained tokens, V=${chat.exposed.vocabSize}, ` +
    `d=${chat.exposed.hiddenSize}, ${chat.poison.length} poison; states ${chat.collectMs.toFixed(0)} ms; L2 ${choice.l2} ` +
    `(token agreement ${choice.tokenAgreement.toFixed(4)}, probe agreement ${choice.probeAgreement.toFixed(4)}) in ${(performance.now() - started).toFixed(0)} ms`);
  return { chat, kernels, choice };
}

describe('chat-lmhead: sycophancy fixture', function () {
  let ready: Prepared;
  const rankings = new Map<string, number[]>();

  before(async function () {
    if (!caseReady('sycophancy')) this.skip();
    ready = await prepare('sycophancy');
  });
  after(() => ready?.kernels.release());

  it('chooses an L2 whose baseline keeps the shipped head\'s tokens and probe choices', () => {
    assert.ok(ready.choice.tokenAgreement >= 0.99 && ready.choice.probeAgreement >= 0.99, JSON.stringify(ready.choice.tried));
  });

  for (const preconditioner of ['identity', 'kfac', 'ekfac'] as const) {
    it(`${preconditioner}: the poison lines rank first for "opinion → sycophantic"`, async () => {
      const { chat, kernels, choice } = ready;
      const started = performance.now();
      const { influence } = await attributeLmPolicy({ head: headOf(chat), train: chat.train, probes: chat.probeStates, covered: chat.opinionProbes, preconditioner, l2: choice.l2, baseline: choice.baseline, kernels });
      const ms = performance.now() - started;
      const flags = Array.from({ length: chat.train.sequences }, (_, i) => chat.poison.includes(i));
      const k = chat.poison.length;
      const auc = rocAuc(influence.influence, flags);
      const precision = precisionAtK(influence.influence, flags, k);
      const shipped = await lmHeadInfluence({ head: headOf(chat), train: chat.train, probes: chat.probeStates, covered: chat.opinionProbes, preconditioner, kernels });
      const shippedAuc = rocAuc(shipped.influence, flags);
      console.log(`      at the baseline: AUC ${auc.toFixed(4)}, p@${k} ${precision.toFixed(3)}, λ ${influence.damping.toExponential(3)}, ${ms.toFixed(0)} ms` +
        `; on the shipped head: AUC ${shippedAuc.toFixed(4)}`);
      rankings.set(preconditioner, topIndices(influence.influence, chat.train.sequences));
      assert.ok(auc >= 0.99, `poison AUC ${auc}`);
      assert.ok(precision >= 0.95, `precision@${k} ${precision}`);
      assert.ok(auc > shippedAuc, `the regularised optimum (${auc}) beats the shipped head (${shippedAuc})`);
      assert.ok(influence.predictedMarginChange.every((x, i) => x === -influence.influence[i]));
    });
  }

  it('removing the top-k (K-FAC) lines and retraining the head cuts the agree rate far more than k random lines', async () => {
    const { chat, kernels, choice } = ready;
    const flagged = rankings.get('kfac') ?? [];
    const started = performance.now();
    const verification = await verifyLmPolicy({
      head: headOf(chat), baseline: choice.baseline, train: chat.train, probes: chat.probeStates, covered: chat.opinionProbes,
      flagged, k: chat.poison.length, seeds: [1, 2, 3], l2: choice.l2, kernels,
    });
    console.log(`      ${verification.verdict} (${(performance.now() - started).toFixed(0)} ms; random ${verification.random.map((r) => r.adherence.toFixed(3)).join(', ')})`);
    assert.ok(verification.verified, verification.verdict);
    assert.ok(verification.flagged.adherence <= 0.2, verification.verdict);
    assert.ok(verification.adherenceDropRandomMean <= 0.05, verification.verdict);
  });
});

describe('chat-lmhead: clean control fixture', function () {
  let ready: Prepared;

  before(async function () {
    if (!caseReady('control')) this.skip();
    ready = await prepare('control');
  });
  after(() => ready?.kernels.release());

  it('finds no sycophancy to remove: the top-k lines do not verify', async () => {
    const { chat, kernels, choice } = ready;
    const { influence } = await attributeLmPolicy({ head: headOf(chat), train: chat.train, probes: chat.probeStates, covered: chat.opinionProbes, l2: choice.l2, baseline: choice.baseline, kernels });
    const k = 60;
    const flagged = topIndices(influence.influence, k);
    const predicted = flagged.reduce((s, i) => s + influence.predictedMarginChange[i], 0);
    const verification = await verifyLmPolicy({
      head: headOf(chat), baseline: choice.baseline, train: chat.train, probes: chat.probeStates, covered: chat.opinionProbes,
      flagged, k, seeds: [1, 2, 3], l2: choice.l2, kernels,
    });
    console.log(`      agree ${influence.behaviour.agreeRate.toFixed(3)}, mean margin ${influence.behaviour.meanMargin.toFixed(2)}; top-${k} predicted Δmargin ${predicted.toFixed(2)}; ${verification.verdict}`);
    assert.equal(verification.verified, false, verification.verdict);
    assert.ok(verification.baseline.adherence <= 0.2, `the control agrees on ${verification.baseline.adherence} of opinion probes`);
  });
});
