/**
 * Chat behaviours handed to the existing rule learner: each probe's prompt is the input the policy's
 * concepts are mined from, and the behaviour label (or A/B probability) is the model's decision.
 */
import { PolicyTraceError } from '../../errors';
import type { Example } from '../../data/example';
import { wordTokens } from '../../featurize/wordTokens';
import type { BehaviourSet } from '../../policy/types';
import type { PreferenceLabels, PreferenceProbe } from '../types';
import { abChoiceProbability } from './abChoice';

/** Labels as one-hot probabilities over `classes` (the learner's decision is their argmax). */
export function labelBehaviourSet(examples: Example[], labels: readonly string[], classes: readonly string[]): BehaviourSet {
  if (labels.length !== examples.length) {
    throw new PolicyTraceError(`got ${labels.length} behaviour labels for ${examples.length} probes`, {}, 'chat.behaviour');
  }
  const probs = new Float32Array(examples.length * classes.length);
  labels.forEach((label, row) => {
    const column = classes.indexOf(label);
    if (column < 0) throw new PolicyTraceError(`behaviour label "${label}" is not one of ${classes.join(', ')}`, {}, 'chat.behaviour');
    probs[row * classes.length + column] = 1;
  });
  return { examples, probs, classes: [...classes], tokens: examples.map((example) => wordTokens(example.text)) };
}

/** A/B probes with P(matching) = sigmoid(margin); classes are [notMatching, matching] names. */
export function abChoiceBehaviourSet(probes: readonly PreferenceProbe[], margins: ArrayLike<number>, labels: PreferenceLabels): BehaviourSet {
  if (margins.length !== probes.length) {
    throw new PolicyTraceError(`got ${margins.length} margins for ${probes.length} probes`, {}, 'chat.behaviour');
  }
  const probs = new Float32Array(probes.length * 2);
  for (let i = 0; i < probes.length; i++) {
    const matching = abChoiceProbability(margins[i]);
    probs[2 * i] = 1 - matching;
    probs[2 * i + 1] = matching;
  }
  const examples = probes.map((probe) => probe.example);
  return { examples, probs, classes: [labels.notMatching, labels.matching], tokens: examples.map((example) => wordTokens(example.text)) };
}
