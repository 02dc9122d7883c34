import { strict as assert } from 'node:assert';
import { extractPolicies, parseHypothesis, ruleCovers, splitRows, type BehaviourSet } from '../../../extension/engine/policy';
import { decisionsOf } from '../../../extension/engine/policy/behaviour';
import { seededRandom } from '../../../extension/engine/policy/random';
import { agreement, cohenKappa } from '../../../extension/engine/policy/statistics';
import {
  behaviourFrom,
  lengthRuleBehaviour,
  makeExample,
  randomBehaviour,
  randomText,
  spamRuleBehaviour,
  whitespaceTokens,
} from './synthetic';

const FAST = { bootstrapResamples: 5 };

describe('policy/extractPolicies', function () {
  this.timeout(20000);

  it('recovers "free or ≥ 2 ! → spam" with high held-out precision and sensible coverage', () => {
    const set = extractPolicies(spamRuleBehaviour(1500, 7), undefined, FAST);
    assert.equal(set.defaultAction, 'ham');
    const free = set.policies.find((p) => p.rule === 'contains("free") -> spam');
    const bangs = set.policies.find((p) => p.rule === 'count("!") >= 2 -> spam');
    assert.ok(free && bangs, `rules found: ${set.policies.map((p) => p.rule).join(' | ')}`);
    for (const policy of [free, bangs]) {
      assert.ok(policy.metrics.precision >= 0.95, `${policy.rule}: precision ${policy.metrics.precision}`);
      assert.equal(policy.metrics.evaluatedOn, 'held-out');
      assert.equal(policy.origin, 'extracted');
    }
    // About a quarter of texts got "free", ~15% got "!!" (see synthetic.ts).
    assert.ok(free.metrics.coverage > 0.15 && free.metrics.coverage < 0.35, `coverage ${free.metrics.coverage}`);
    assert.ok(bangs.metrics.coverage > 0.08 && bangs.metrics.coverage < 0.25, `coverage ${bangs.metrics.coverage}`);
    assert.ok(set.fidelity >= 0.95 && set.kappa >= 0.9, `fidelity ${set.fidelity}, kappa ${set.kappa}`);
    const listRules = set.policies.filter((p) => !p.describesDefault);
    assert.ok(listRules.every((p) => p.action !== set.defaultAction), 'no decision-list rule restates the default');
    assert.ok(
      set.policies.filter((p) => p.action === set.defaultAction).every((p) => p.describesDefault && p.metrics.precision > (p.metrics.baseRate ?? 1)),
      'rules for the default action are marked and beat its base rate',
    );
    assert.equal(set.heldOutCount, 450);
    assert.equal(free.metrics.stability, 1);
  });

  it('finds no confident rule when decisions are random', () => {
    for (const seed of [3, 4]) {
      const set = extractPolicies(randomBehaviour(1500, seed), undefined, FAST);
      assert.deepEqual(set.policies.map((p) => p.rule), [], `seed ${seed}`);
      assert.ok(Math.abs(set.kappa) < 1e-9, 'the default-only list agrees only by chance');
    }
  });

  it('finds a length rule when short texts are pushed negative', () => {
    const set = extractPolicies(lengthRuleBehaviour(1500, 5), undefined, FAST);
    const policy = set.policies[0];
    assert.ok(policy, 'a rule was found');
    assert.match(policy.rule, /len_tokens|len_chars/);
    assert.ok(policy.metrics.precision >= 0.9, `precision ${policy.metrics.precision}`);
    assert.equal(policy.rule, policy.action === 'negative' ? 'len_tokens <= 4 -> negative' : 'len_tokens > 4 -> positive');
  });

  it('reports fidelity and kappa that an independent replay of the rule list reproduces', () => {
    const behaviour = spamRuleBehaviour(800, 21, 0.05);
    const set = extractPolicies(behaviour, undefined, { ...FAST, seed: 9 });
    const { heldOutRows } = splitRows(800, 0.3, 9);
    const classes = behaviour.classes;
    const rules = set.policies.map((p) => parseHypothesis(p.rule, classes));
    const decisions = decisionsOf(behaviour.probs, classes.length);
    const replay = heldOutRows.map((row) => {
      const first = rules.find((rule) => ruleCovers(rule, behaviour.examples[row], behaviour.tokens[row]));
      return first ? first.actionIndex : classes.indexOf(set.defaultAction);
    });
    const truth = heldOutRows.map((row) => decisions[row]);
    assert.equal(set.fidelity, agreement(replay, truth));
    assert.equal(set.kappa, cohenKappa(replay, truth, 2));
    // And the per-rule precision, recounted by hand.
    const first = rules[0];
    const covered = heldOutRows.filter((row) => ruleCovers(first, behaviour.examples[row], behaviour.tokens[row]));
    const agreeing = covered.filter((row) => decisions[row] === first.actionIndex).length;
    assert.equal(set.policies[0].metrics.support, covered.length);
    assert.equal(set.policies[0].metrics.precision, agreeing / covered.length);
  });

  it('is deterministic: the same seed gives the same rules and numbers', () => {
    const behaviour = spamRuleBehaviour(900, 13, 0.08);
    const a = extractPolicies(behaviour, undefined, { ...FAST, seed: 4 });
    const b = extractPolicies(behaviour, undefined, { ...FAST, seed: 4 });
    assert.deepEqual(a, b);
  });

  it('compares each rule with the training labels', () => {
    const behaviour = spamRuleBehaviour(1000, 31, 0);
    // Training data where "free" is labelled spam only half of the time: the model follows the rule more than the data does.
    const random = seededRandom(99);
    const trainTexts = Array.from({ length: 400 }, (_, i) => `${randomText(random, 3, 10)}${i % 2 === 0 ? ' free' : ''}`);
    const trainLabels = trainTexts.map((text, i) => (text.endsWith('free') ? (i % 4 === 0 ? 'spam' : 'ham') : 'ham'));
    const train = {
      examples: trainTexts.map((text, i) => makeExample(i, text, {}, trainLabels[i])),
      tokens: trainTexts.map(whitespaceTokens),
    };
    const set = extractPolicies(behaviour, train, FAST);
    const free = set.policies.find((p) => p.rule === 'contains("free") -> spam');
    assert.ok(free);
    assert.equal(free.metrics.trainSupport, 200);
    assert.equal(free.metrics.trainLabelPrecision, 0.5);
    assert.ok(free.metrics.precision > 0.95);
  });

  it('uses structured fields, numeric field thresholds and user concepts', () => {
    const random = seededRandom(17);
    const n = 1200;
    const texts = Array.from({ length: n }, () => randomText(random, 3, 12));
    const records = texts.map((_, i) => ({ source: ['batch1', 'batch7', 'web'][i % 3], amount: Math.round(random() * 300) }));
    // Decisions: batch7 → flagged; else amount > 250 → flagged; else polite words → polite; else ok.
    const politeTexts = texts.map((text, i) => (i % 5 === 1 ? `thank you ${text}` : text));
    const decisions = politeTexts.map((text, i) =>
      records[i].source === 'batch7' ? 1 : records[i].amount > 250 ? 1 : text.startsWith('thank you') ? 2 : 0,
    );
    const behaviour: BehaviourSet = behaviourFrom(politeTexts, decisions, ['ok', 'flagged', 'polite'], 5, records);
    const set = extractPolicies(behaviour, undefined, { ...FAST, concepts: [{ name: 'gratitude', keywords: ['thank you', 'thanks'] }] });
    const rules = set.policies.map((p) => p.rule);
    assert.ok(rules.includes('field("source") == "batch7" -> flagged'), rules.join(' | '));
    assert.ok(rules.some((rule) => /^field\("amount"\) > 2[45]\d -> flagged$/.test(rule)), rules.join(' | '));
    // "polite" only wins when the amount rule does not fire first, so the learner must say so.
    assert.ok(rules.some((rule) => /^concept\("gratitude"\) and field\("amount"\) <= 2[45]\d -> polite$/.test(rule)), rules.join(' | '));
    assert.ok(set.fidelity > 0.95, `fidelity ${set.fidelity}`);
  });

  it('rejects inconsistent input with a clear message', () => {
    const behaviour = spamRuleBehaviour(50, 1);
    assert.throws(() => extractPolicies({ ...behaviour, probs: behaviour.probs.subarray(0, 99) }, undefined), /expected 50 probes × 2 classes = 100/);
    assert.throws(() => extractPolicies({ ...behaviour, tokens: behaviour.tokens.slice(1) }, undefined), /got 50 probes but 49 token lists/);
    assert.throws(() => extractPolicies(behaviour, undefined, { heldOutFraction: 1 }), /heldOutFraction must be between 0 and 1/);
  });
});
