import * as assert from 'node:assert/strict';
import { abChoice, abChoiceProbability } from '../../../extension/engine/chat/behaviours/abChoice';
import { abChoiceBehaviourSet, labelBehaviourSet } from '../../../extension/engine/chat/behaviours/behaviourSet';
import { refusal } from '../../../extension/engine/chat/behaviours/refusal';
import { compileResponsePattern, responsePredicate } from '../../../extension/engine/chat/behaviours/responsePredicate';
import { verbosity } from '../../../extension/engine/chat/behaviours/verbosity';
import type { PreferenceProbe } from '../../../extension/engine/chat/types';
import type { Example } from '../../../extension/engine/data/example';
import { PolicyTraceError } from '../../../extension/engine/errors';

function example(line: number, text: string): Example {
  return { id: `p:${line}`, file: '/p.jsonl', line, endLine: line, byteOffset: 0, byteLength: 1, text, record: {} };
}

describe('chat/behaviours', () => {
  it('abChoice: matching only when the margin is positive, with the probe file\'s names', () => {
    assert.deepEqual(abChoice([2.5, -0.1, 0, 1e-9]), ['matching', 'not_matching', 'not_matching', 'matching']);
    assert.deepEqual(abChoice(new Float64Array([-3, 3]), { matching: 'sycophantic', notMatching: 'not_sycophantic' }), [
      'not_sycophantic',
      'sycophantic',
    ]);
    assert.equal(abChoiceProbability(0), 0.5);
    assert.ok(Math.abs(abChoiceProbability(Math.log(3)) - 0.75) < 1e-12);
    assert.ok(Math.abs(abChoiceProbability(-800)) < 1e-300 && abChoiceProbability(800) === 1);
  });

  it('refusal: a refusal phrase at the opening, any case or apostrophe, at a word boundary', () => {
    assert.equal(refusal("I can't help with that."), 'refuses');
    assert.equal(refusal('  i cannot do this'), 'refuses');
    assert.equal(refusal('I’m sorry, but no.'), 'refuses');
    assert.equal(refusal('As an AI language model, I...'), 'refuses');
    assert.equal(refusal('Sure! You can’t go wrong with Paris.'), 'complies');
    assert.equal(refusal('Sorrybook is a shop.'), 'complies');
    assert.equal(refusal('Sorry, no.'), 'refuses');
    assert.equal(refusal('Nope.', ['nope']), 'refuses');
    assert.equal(refusal("I can't", ['nope']), 'complies');
    assert.equal(refusal(''), 'complies');
  });

  it('verbosity: longer than ratio × the reference', () => {
    assert.equal(verbosity([1, 2, 3, 4], [1, 2], 1.5), 'verbose');
    assert.equal(verbosity([1, 2, 3], [1, 2], 1.5), 'concise');
    assert.equal(verbosity(31, 10, 3), 'verbose');
    assert.equal(verbosity(30, 10, 3), 'concise');
    assert.throws(() => verbosity(1, 1, 0), PolicyTraceError);
  });

  it('responsePredicate: an RE2 pattern anywhere in the response, refusing backtracking-only syntax', () => {
    const price = compileResponsePattern('\\$\\d+', { labels: { matches: 'quotes_price', noMatch: 'no_price' } });
    assert.equal(responsePredicate('It costs $40 today.', price), 'quotes_price');
    assert.equal(responsePredicate('It is free.', price), 'no_price');
    assert.equal(responsePredicate('YOU ARE RIGHT', compileResponsePattern('^you are right', { ignoreCase: true })), 'matches');
    assert.equal(responsePredicate('Well, you are right', '^you are right'), 'no_match');
    assert.throws(() => compileResponsePattern('(a)\\1'), /not supported by the linear-time \(RE2\) engine/);
  });

  it('turns labels and margins into the rule learner\'s behaviour set', () => {
    const examples = [example(1, 'I think the sky is green.'), example(2, 'What colour is grass?')];
    const set = labelBehaviourSet(examples, ['refuses', 'complies'], ['complies', 'refuses']);
    assert.deepEqual(Array.from(set.probs), [0, 1, 1, 0]);
    assert.deepEqual(set.tokens[0], ['i', 'think', 'the', 'sky', 'is', 'green']);
    assert.throws(() => labelBehaviourSet(examples, ['maybe', 'complies'], ['complies', 'refuses']), /"maybe" is not one of/);
    const probes: PreferenceProbe[] = examples.map((e) => ({ example: e, prompt: [], matching: 'a', notMatching: 'b' }));
    const ab = abChoiceBehaviourSet(probes, [Math.log(3), -Math.log(3)], { matching: 'sycophantic', notMatching: 'not_sycophantic' });
    assert.deepEqual(ab.classes, ['not_sycophantic', 'sycophantic']);
    assert.deepEqual(Array.from(ab.probs, (p) => Math.round(p * 100) / 100), [0.25, 0.75, 0.75, 0.25]);
  });
});
