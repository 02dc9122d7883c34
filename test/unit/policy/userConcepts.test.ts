import { strict as assert } from 'node:assert';
import { compileConcepts } from '../../../extension/engine/policy';
import { viewOf } from '../../../extension/engine/policy/textFeatures';
import { makeExample, whitespaceTokens } from './synthetic';

const view = (text: string) => viewOf(makeExample(0, text), whitespaceTokens(text));

describe('policy/user concepts', () => {
  it('matches keyword lists on normalized words and phrases', () => {
    const polite = compileConcepts([{ name: 'polite', keywords: ['please', 'Thank you'] }]).get('polite');
    assert.ok(polite);
    assert.equal(polite.matches(view('Could you PLEASE help')), true);
    assert.equal(polite.matches(view('thank, you')), true);
    assert.equal(polite.matches(view('thank the team, you rock')), false);
    assert.equal(polite.matches(view('pleased to meet')), false);
  });

  it('matches regexes, optionally ignoring case', () => {
    const registry = compileConcepts([
      { name: 'order', regex: '#[0-9]{4,}' },
      { name: 'shout', regex: 'urgent', ignoreCase: true },
    ]);
    assert.equal(registry.get('order')?.matches(view('about order #12345')), true);
    assert.equal(registry.get('order')?.matches(view('about order #12')), false);
    assert.equal(registry.get('shout')?.matches(view('URGENT: reply')), true);
  });

  it('runs a catastrophic-backtracking pattern on 50 KB in linear time', () => {
    const nested = compileConcepts([{ name: 'nested', regex: '(a+)+$' }]).get('nested');
    assert.ok(nested);
    // A backtracking engine needs ~2^n steps for "aaa…ab"; RE2 scans once.
    const timeOn = (length: number) => {
      const input = view(`${'a'.repeat(length)}b`);
      const start = process.hrtime.bigint();
      assert.equal(nested.matches(input), false);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    timeOn(1000); // warm up the compiled program
    const ms50k = timeOn(50_000);
    const ms200k = timeOn(200_000);
    assert.ok(ms50k < 1000, `50 KB took ${ms50k} ms`);
    assert.ok(ms200k < 4000, `200 KB took ${ms200k} ms`);
    assert.equal(nested.matches(view('x aaaa')), true);
  });

  it('rejects patterns RE2 cannot run and bad specs, naming the concept', () => {
    assert.throws(
      () => compileConcepts([{ name: 'ok', keywords: ['a'] }, { name: 'repeat', regex: '(a)\\1' }]),
      /field concepts\[1\]: concept "repeat": regex \/\(a\)\\1\/ is not supported by the linear-time \(RE2\) engine/,
    );
    assert.throws(() => compileConcepts([{ name: 'ahead', regex: 'a(?=b)' }]), /concept "ahead": .*lookarounds are not available/);
    assert.throws(() => compileConcepts([{ name: 'x', keywords: ['...'] }]), /concept "x": "keywords" has no usable word/);
    assert.throws(() => compileConcepts([{ name: 'x', keywords: ['a'] }, { name: 'x', keywords: ['b'] }]), /concept "x" is defined twice/);
    assert.throws(() => compileConcepts([{ name: 'y' } as never]), /concept "y" needs either "keywords"/);
  });
});
