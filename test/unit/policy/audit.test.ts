import { strict as assert } from 'node:assert';
import type { Example } from '../../../extension/engine/data/example';
import { auditHypothesis, parseHypothesis, type BehaviourSet } from '../../../extension/engine/policy';
import { seededRandom } from '../../../extension/engine/policy/random';
import { behaviourFrom, makeExample, randomText, whitespaceTokens } from './synthetic';

const CLASSES = ['billing', 'escalate'];

/** Probes where the model escalates exactly when "kindly" appears. */
function kindlyBehaviour(n: number): BehaviourSet {
  const random = seededRandom(8);
  const texts = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? `kindly ${randomText(random, 2, 8)}` : randomText(random, 2, 8)));
  return behaviourFrom(texts, texts.map((text) => (/\bkindly\b/.test(text) ? 1 : 0)), CLASSES, 3);
}

/** A fake model that escalates exactly when the text contains the word "kindly". */
const followsTrigger = async (examples: Example[]) =>
  Float32Array.from(examples.flatMap((e) => (/\bkindly\b/i.test(e.text) ? [0.1, 0.9] : [0.9, 0.1])));

describe('policy/auditHypothesis', () => {
  it('measures a hypothesis on all probes, as counted by hand', async () => {
    const texts = ['please kindly help', 'kindly refund', 'where is my bill', 'kindly', 'invoice please'];
    const decisions = [1, 0, 0, 1, 0];
    const behaviour = behaviourFrom(texts, decisions, CLASSES, 1);
    behaviour.probs.set([0.2, 0.8, 0.6, 0.4, 0.9, 0.1, 0.25, 0.75, 0.7, 0.3]);
    const rule = parseHypothesis('contains("kindly") -> escalate', CLASSES);
    const policy = await auditHypothesis(rule, behaviour, undefined);
    // Covered: rows 0, 1, 3; the model escalates on 0 and 3.
    assert.equal(policy.metrics.support, 3);
    assert.equal(policy.metrics.precision, 2 / 3);
    assert.equal(policy.metrics.adherence, 2 / 3);
    assert.equal(policy.metrics.coverage, 3 / 5);
    assert.equal(policy.metrics.baseRate, 2 / 5);
    const margin = (p: number) => Math.log(p) - Math.log(1 - p);
    assert.ok(Math.abs(policy.metrics.meanMargin - (margin(0.8) + margin(0.4) + margin(0.75)) / 3) < 1e-6);
    assert.equal(policy.metrics.evaluatedOn, 'all-probes');
    assert.equal(policy.origin, 'hypothesis');
    assert.equal(policy.metrics.stability, undefined);
    assert.match(policy.id, /^hypothesis-[0-9a-f]{8}$/);
    assert.equal(policy.counterfactual?.available, false);
  });

  it('compares with training labels given as class names or ids', async () => {
    const behaviour = kindlyBehaviour(40);
    const trainTexts = ['kindly pay', 'kindly now', 'kindly later', 'pay bill', 'kindly x'];
    const labels = ['escalate', '1', 'billing', 'escalate', undefined];
    const train = { examples: trainTexts.map((t, i) => makeExample(i, t, {}, labels[i])), tokens: trainTexts.map(whitespaceTokens) };
    const policy = await auditHypothesis(parseHypothesis('contains("kindly") -> escalate', CLASSES), behaviour, train);
    // Covered and labelled: lines 1–3 (line 5 has no label); two of them are escalate.
    assert.equal(policy.metrics.trainSupport, 3);
    assert.equal(policy.metrics.trainLabelPrecision, 2 / 3);
  });

  it('flips nearly all edited probes when the model follows the trigger', async () => {
    const behaviour = kindlyBehaviour(400);
    const rule = parseHypothesis('contains("kindly") -> escalate', CLASSES);
    const policy = await auditHypothesis(rule, behaviour, undefined, followsTrigger, { maxCounterfactualEdits: 200 });
    // 300 probes lack "kindly" (capped to 200 edits), 100 have it.
    const cf = policy.counterfactual;
    assert.ok(cf && cf.available);
    assert.equal(cf.toActionEdited, 200);
    assert.equal(cf.awayEdited, 100);
    assert.equal(cf.edited, 300);
    assert.equal(cf.flippedToAction, 200);
    assert.equal(cf.flippedAway, 100);
    assert.equal(cf.flipRate, 1);
    assert.match(cf.description, /flipped 200\/200 \(100%\) to escalate.*flipped 100\/100 \(100%\) away from escalate/);
  });

  it('flips none when the model ignores the trigger and only correlates with it', async () => {
    // "kindly" always comes with "urgent", and the model escalates on "urgent": the hypothesis is precise but not causal.
    const random = seededRandom(12);
    const texts = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? `kindly ${randomText(random, 2, 8)} urgent` : randomText(random, 2, 8)));
    const behaviour = behaviourFrom(texts, texts.map((text) => (text.includes('urgent') ? 1 : 0)), CLASSES, 3);
    const followsUrgent = async (examples: Example[]) =>
      Float32Array.from(examples.flatMap((e) => (/\burgent\b/.test(e.text) ? [0.1, 0.9] : [0.9, 0.1])));
    const policy = await auditHypothesis(parseHypothesis('contains("kindly") -> escalate', CLASSES), behaviour, undefined, followsUrgent);
    assert.equal(policy.metrics.precision, 1);
    const cf = policy.counterfactual;
    assert.ok(cf && cf.available);
    assert.equal(cf.toActionEdited, 300);
    assert.equal(cf.awayEdited, 100);
    assert.equal(cf.flippedToAction, 0);
    assert.equal(cf.flippedAway, 0);
    assert.equal(cf.flipRate, 0);
  });

  it('toggles a negated word and the word inside a conjunction', async () => {
    const behaviour = kindlyBehaviour(200);
    const negated = await auditHypothesis(parseHypothesis('not contains("kindly") -> billing', CLASSES), behaviour, undefined, followsTrigger);
    assert.equal(negated.counterfactual?.flipRate, 1);
    assert.ok((negated.counterfactual?.edited ?? 0) > 0);
    const conjunction = await auditHypothesis(
      parseHypothesis('len_tokens >= 1 and contains("kindly") -> escalate', CLASSES),
      behaviour,
      undefined,
      followsTrigger,
    );
    assert.equal(conjunction.counterfactual?.flipRate, 1);
  });

  it('says when a counterfactual is not available', async () => {
    const behaviour = kindlyBehaviour(40);
    const lengthRule = await auditHypothesis(parseHypothesis('len_tokens <= 3 -> billing', CLASSES), behaviour, undefined, followsTrigger);
    assert.equal(lengthRule.counterfactual?.available, false);
    assert.match(lengthRule.counterfactual?.description ?? '', /only for a contains\(\.\.\.\) condition/);
    const noModel = await auditHypothesis(parseHypothesis('contains("kindly") -> escalate', CLASSES), behaviour, undefined);
    assert.match(noModel.counterfactual?.description ?? '', /no way to run the model/);
  });

  it('reports a predict callback that returns the wrong shape', async () => {
    const behaviour = kindlyBehaviour(40);
    const broken = async () => new Float32Array(3);
    await assert.rejects(
      auditHypothesis(parseHypothesis('contains("kindly") -> escalate', CLASSES), behaviour, undefined, broken),
      /counterfactual predict returned 3 values for \d+ edited probes × 2 classes/,
    );
  });

  it('edits deterministically for a given seed', async () => {
    const behaviour = kindlyBehaviour(100);
    const seen: string[][] = [];
    const recording = async (examples: Example[]) => {
      seen.push(examples.map((e) => e.text));
      return followsTrigger(examples);
    };
    const rule = parseHypothesis('contains("kindly") -> escalate', CLASSES);
    await auditHypothesis(rule, behaviour, undefined, recording, { seed: 5 });
    await auditHypothesis(rule, behaviour, undefined, recording, { seed: 5 });
    assert.deepEqual(seen[0], seen[1]);
    assert.ok(seen[0].every((text) => text.length > 0));
  });
});
