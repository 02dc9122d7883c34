/**
 * The A/B choice of a probe at the token where its two answers first differ. log p(matching) − log p(not
 * matching) summed over whole answers mixes the choice ("You are right, …" vs "Actually, …") with everything the
 * answers go on to say (here: a wrong fact vs a true one), and the gradient of the rest is dominated by those
 * content tokens. Scoring only the first differing token keeps the decision: the shared prefix cancels in the
 * difference anyway, and everything after it is conditioned on the choice already made (it is the letter token
 * of an "(A)/(B)" probe).
 */
import { PolicyTraceError } from '../../errors';
import type { TokenSequence } from '../lmHead/types';

function onlyTarget(sequence: TokenSequence, t: number): TokenSequence {
  const targetMask = new Uint8Array(sequence.targetMask.length);
  targetMask[t] = 1;
  return { ids: sequence.ids, targetMask };
}

/** Both answers of every probe with only their first differing token as target. */
export function decisionTokens(probes: { matching: TokenSequence[]; notMatching: TokenSequence[] }): { matching: TokenSequence[]; notMatching: TokenSequence[] } {
  const matching: TokenSequence[] = [];
  const notMatching: TokenSequence[] = [];
  probes.matching.forEach((a, j) => {
    const b = probes.notMatching[j];
    const shorter = Math.min(a.ids.length, b.ids.length);
    let t = 0;
    while (t < shorter && a.ids[t] === b.ids[t]) t++;
    if (t === shorter || !a.targetMask[t] || !b.targetMask[t]) {
      throw new PolicyTraceError(
        t === shorter ? `probe ${j}: the two answers do not differ at a token both have` : `probe ${j}: the answers first differ at token ${t}, which is not part of the answer`,
        { field: `probes[${j}]` },
        'chat.full-model',
      );
    }
    matching.push(onlyTarget(a, t));
    notMatching.push(onlyTarget(b, t));
  });
  return { matching, notMatching };
}
