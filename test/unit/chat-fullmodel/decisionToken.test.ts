/** The A/B decision token: the first token where a probe's two answers differ, and the refusals around it. */
import * as assert from 'node:assert/strict';
import { decisionTokens } from '../../../extension/engine/chat/fullModel';
import type { TokenSequence } from '../../../extension/engine/chat/lmHead';
import { PolicyTraceError } from '../../../extension/engine/errors';

const sequence = (ids: number[], firstTarget: number): TokenSequence => ({ ids: Int32Array.from(ids), targetMask: Uint8Array.from(ids, (_, t) => (t >= firstTarget ? 1 : 0)) });

describe('chat-fullmodel: decision tokens', () => {
  it('keeps only the first differing answer token of both answers', () => {
    // prompt 7 8 | role 1 | answers "5 6 2" and "5 9 2": they share the answer's first token.
    const { matching, notMatching } = decisionTokens({ matching: [sequence([7, 8, 1, 5, 6, 2], 3)], notMatching: [sequence([7, 8, 1, 5, 9, 2], 3)] });
    assert.deepEqual(Array.from(matching[0].targetMask), [0, 0, 0, 0, 1, 0]);
    assert.deepEqual(Array.from(notMatching[0].targetMask), [0, 0, 0, 0, 1, 0]);
    assert.deepEqual(Array.from(matching[0].ids), [7, 8, 1, 5, 6, 2]);
  });

  it('refuses identical answers and answers that differ inside the prompt', () => {
    const same = sequence([7, 1, 5, 2], 2);
    assert.throws(() => decisionTokens({ matching: [same], notMatching: [same] }), (e: unknown) => e instanceof PolicyTraceError && /probe 0: the two answers do not differ/.test(e.message));
    assert.throws(
      () => decisionTokens({ matching: [sequence([7, 1, 5, 2], 2)], notMatching: [sequence([4, 1, 5, 2], 2)] }),
      (e: unknown) => e instanceof PolicyTraceError && /first differ at token 0, which is not part of the answer/.test(e.message),
    );
  });
});
