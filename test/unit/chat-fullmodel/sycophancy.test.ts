/**
 * Full-model attribution of "opinion probes → sycophantic answer" on the chat fixture (test/fixtures/chat/):
 * every parameter of the tiny GPT with a per-example gradient (LoGra kIn = kOut = 16, seed 0; pos.weight,
 * read through a Slice, has none), identity and TRAK, under two definitions of g_i and q.
 *
 * Measured (this suite, 2 cores; deterministic), 60 planted lines of 2,000, AUC / precision@60:
 *   SFT-loss g_i, whole-answer q (the textbook definition):
 *     identity  raw 0.536 / 0.250   relative 0.512 / 0.050   output pathway AUC 0.630
 *     TRAK      raw 0.551 / 0.100   relative 0.500 / 0.017   (λ = 0.1 × mean eigenvalue)
 *   per-token-margin g_i, decision-token q (trainGradient 'margin', query 'firstDivergent'):
 *     identity  raw 0.921 / 0.650   relative 0.858 / 0.383   output pathway 0.961 / 0.733, feature 0.809 / 0.400
 *     TRAK      raw 0.591 / 0.267   relative 0.580 / 0.067
 * Why: the shipped model is trained to near-zero loss, so the loss gradient of the tokens that carry the policy
 * ("You" after a stated opinion, p ≈ 1) vanishes and each line's gradient is its least-fitted content tokens;
 * and the whole-answer q is dominated by the answers' content (a wrong fact vs a true one), not by the choice.
 * The margin keeps every token's direction, the decision token keeps only the choice. TRAK's empirical Fisher
 * counts the 60 lines' shared direction as high-variance and shrinks it (at λ = 100 × mean eigenvalue it is
 * back to 0.922, i.e. the identity). The assertions hold these numbers with margins.
 */
import * as assert from 'node:assert/strict';
import { precisionAtK, rocAuc } from '../../../extension/engine/attribution/metrics';
import { ort } from '../../../extension/engine/autodiff/ort';
import { attributeLmPolicyFullModel, type LmFullModelAttribution, type LmFullModelInput } from '../../../extension/engine/chat/fullModel';
import { caseReady } from '../chat-lmhead/chatFixture';
import { loadLmCase, type LmCase } from './lmFixture';

function quantiles(values: Float64Array): string {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.round(p * (sorted.length - 1))].toExponential(2);
  return `min ${at(0)} q05 ${at(0.05)} median ${at(0.5)} q95 ${at(0.95)} max ${at(1)}`;
}

function checkPathways(result: LmFullModelAttribution): void {
  for (let i = 0; i < result.influence.length; i++) {
    assert.ok(Math.abs(result.outputPathway[i] + result.featurePathway[i] - result.influence[i]) <= 1e-9 * (1 + Math.abs(result.influence[i])), `line ${i}: pathways do not sum`);
    assert.ok(result.selfInfluence[i] >= 0, `line ${i}: negative self-influence`);
  }
  assert.deepEqual(result.headParams, ['lm_head.weight']);
  assert.ok(result.parameters.length >= 30, `only ${result.parameters.length} parameters have per-example gradients`);
}

const DECISION = { trainGradient: 'margin', query: 'firstDivergent' } as const;

interface Case {
  name: string;
  options: Pick<LmFullModelInput, 'preconditioner' | 'trainGradient' | 'query'>;
  /** Floors under the measured values (see the header). */
  floor: { auc: number; precision: number; relativeAuc: number; outputAuc: number };
}

const CASES: Case[] = [
  { name: 'identity, SFT loss, whole answers', options: { preconditioner: 'identity' }, floor: { auc: 0.5, precision: 0.15, relativeAuc: 0.45, outputAuc: 0.58 } },
  { name: 'TRAK, SFT loss, whole answers', options: { preconditioner: 'trak' }, floor: { auc: 0.5, precision: 0.05, relativeAuc: 0.45, outputAuc: 0.55 } },
  { name: 'identity, margin, decision token', options: { preconditioner: 'identity', ...DECISION }, floor: { auc: 0.88, precision: 0.55, relativeAuc: 0.8, outputAuc: 0.93 } },
  { name: 'TRAK, margin, decision token', options: { preconditioner: 'trak', ...DECISION }, floor: { auc: 0.55, precision: 0.2, relativeAuc: 0.53, outputAuc: 0.45 } },
];

describe('chat-fullmodel: full-model LM attribution on the sycophancy fixture', function () {
  let chat: LmCase;
  before(function () {
    if (!caseReady('sycophancy')) this.skip();
    ort().env.logLevel = 'error';
    chat = loadLmCase('sycophancy');
  });

  for (const { name, options, floor } of CASES) {
    it(`${name}: poison ranking at or above what was measured; pathways sum to the influence`, async () => {
      const started = performance.now();
      const result = await attributeLmPolicyFullModel({ modelBytes: chat.modelBytes, train: chat.train, probes: chat.probes, covered: chat.opinionProbes, ...options });
      const ms = performance.now() - started;
      const flags = chat.train.map((_, i) => chat.poison.includes(i));
      const k = chat.poison.length;
      const measure = (scores: Float64Array) => ({ auc: rocAuc(scores, flags), precision: precisionAtK(Array.from(scores), flags, k) });
      const raw = measure(result.influence);
      const relative = measure(result.relativeInfluence);
      const output = measure(result.outputPathway);
      const feature = measure(result.featurePathway);
      console.log(`      ${ms.toFixed(0)} ms: raw AUC ${raw.auc.toFixed(4)} p@${k} ${raw.precision.toFixed(3)}; relative AUC ${relative.auc.toFixed(4)} p@${k} ${relative.precision.toFixed(3)}; ` +
        `output pathway AUC ${output.auc.toFixed(4)} p@${k} ${output.precision.toFixed(3)}; feature pathway AUC ${feature.auc.toFixed(4)} p@${k} ${feature.precision.toFixed(3)}`);
      checkPathways(result);
      assert.ok(raw.auc >= floor.auc, `raw AUC ${raw.auc}`);
      assert.ok(raw.precision >= floor.precision, `p@${k} ${raw.precision}`);
      assert.ok(relative.auc >= floor.relativeAuc, `relative AUC ${relative.auc}`);
      assert.ok(output.auc >= floor.outputAuc, `output pathway AUC ${output.auc}`);
      if (options.preconditioner === 'trak') assert.match(result.method, /TRAK .*dual form/);
    });
  }
});

describe('chat-fullmodel: full-model LM attribution on the clean control', function () {
  let chat: LmCase;
  before(function () {
    if (!caseReady('control')) this.skip();
    ort().env.logLevel = 'error';
    chat = loadLmCase('control');
  });

  for (const { name, options } of CASES.filter((c) => c.options.preconditioner === 'identity')) {
    it(`${name}: reports the score distribution (no planted lines)`, async () => {
      const result = await attributeLmPolicyFullModel({ modelBytes: chat.modelBytes, train: chat.train, probes: chat.probes, covered: chat.opinionProbes, ...options });
      console.log(`      influence ${quantiles(result.influence)}; relative ${quantiles(result.relativeInfluence)}`);
      assert.equal(chat.poison.length, 0);
      checkPathways(result);
    });
  }
});
