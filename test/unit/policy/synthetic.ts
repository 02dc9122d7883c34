/**
 * Synthetic behaviour sets for policy tests: random texts from a neutral vocabulary, and a "model" whose
 * decisions follow a known rule (plus seeded label noise), so a test knows which policy must be found.
 */
import type { Example } from '../../../extension/engine/data/example';
import type { BehaviourSet } from '../../../extension/engine/policy';
import { seededRandom, type Random } from '../../../extension/engine/policy/random';

export const NEUTRAL_WORDS = (
  'the a to and of in is it you that for on are with as at be this have from or one had by word but not what all ' +
  'were we when your can said there use an each which she do how their if will up other about out many then them ' +
  'these so some her would make like him into time has look two more write go see number no way could people my ' +
  'than first water been call who oil its now find long down day did get come made may part over new sound take'
).split(' ');

export function makeExample(index: number, text: string, record: Record<string, unknown> = {}, label?: string): Example {
  return {
    id: `probe:${index + 1}`,
    file: '/synthetic/probes.jsonl',
    line: index + 1,
    endLine: index + 1,
    byteOffset: index * 100,
    byteLength: text.length,
    text,
    label,
    record: { text, ...record },
  };
}

export function whitespaceTokens(text: string): string[] {
  return text.toLowerCase().split(/\s+/u).filter(Boolean);
}

export function randomText(random: Random, minWords: number, maxWords: number): string {
  const length = minWords + Math.floor(random() * (maxWords - minWords + 1));
  return Array.from({ length }, () => NEUTRAL_WORDS[Math.floor(random() * NEUTRAL_WORDS.length)]).join(' ');
}

/** Probabilities for `decision`, with a confidence in [0.6, 0.99). */
export function probsFor(decisions: readonly number[], classCount: number, random: Random): Float32Array {
  const probs = new Float32Array(decisions.length * classCount);
  decisions.forEach((decision, i) => {
    const confidence = 0.6 + 0.39 * random();
    for (let c = 0; c < classCount; c++) probs[i * classCount + c] = c === decision ? confidence : (1 - confidence) / (classCount - 1);
  });
  return probs;
}

export function behaviourFrom(texts: string[], decisions: number[], classes: string[], seed: number, records?: Record<string, unknown>[]): BehaviourSet {
  const random = seededRandom(seed);
  const examples = texts.map((text, i) => makeExample(i, text, records?.[i]));
  return { examples, probs: probsFor(decisions, classes.length, random), classes, tokens: texts.map(whitespaceTokens) };
}

/** Spam iff the text contains "free" or at least two '!', with `noise` of decisions flipped. */
export function spamRuleBehaviour(n: number, seed: number, noise = 0.02): BehaviourSet {
  const random = seededRandom(seed);
  const texts: string[] = [];
  const decisions: number[] = [];
  for (let i = 0; i < n; i++) {
    let text = randomText(random, 4, 20);
    const words = text.split(' ');
    if (random() < 0.25) words.splice(Math.floor(random() * words.length), 0, random() < 0.5 ? 'free' : 'FREE');
    if (random() < 0.15) words[words.length - 1] += '!!';
    else if (random() < 0.2) words[words.length - 1] += '!';
    text = words.join(' ');
    let spam = /\bfree\b/i.test(text) || (text.match(/!/g) ?? []).length >= 2;
    if (random() < noise) spam = !spam;
    texts.push(text);
    decisions.push(spam ? 1 : 0);
  }
  return behaviourFrom(texts, decisions, ['ham', 'spam'], seed + 1);
}

/** Decisions drawn at random (50/50), independent of the text. */
export function randomBehaviour(n: number, seed: number): BehaviourSet {
  const random = seededRandom(seed);
  const texts = Array.from({ length: n }, () => randomText(random, 3, 20));
  const decisions = texts.map(() => (random() < 0.5 ? 1 : 0));
  return behaviourFrom(texts, decisions, ['negative', 'positive'], seed + 1);
}

/** Short texts (≤ 4 words) → negative, longer → positive, with noise. */
export function lengthRuleBehaviour(n: number, seed: number, noise = 0.02): BehaviourSet {
  const random = seededRandom(seed);
  const texts = Array.from({ length: n }, () => randomText(random, 1, 14));
  const decisions = texts.map((text) => {
    const positive = text.split(' ').length > 4;
    return (random() < noise ? !positive : positive) ? 1 : 0;
  });
  return behaviourFrom(texts, decisions, ['negative', 'positive'], seed + 1);
}

/**
 * A load test shape: a 600-word Zipf-like vocabulary (hundreds of minable words) and ten trigger words,
 * each sending the decision to one of four classes; texts with no trigger get class 0.
 */
export function manyRulesBehaviour(n: number, seed: number): BehaviourSet {
  const random = seededRandom(seed);
  const vocabulary = Array.from({ length: 600 }, (_, i) => `w${i}`);
  const triggers = Array.from({ length: 10 }, (_, i) => ({ word: `trigger${i}`, decision: 1 + (i % 3) }));
  const texts: string[] = [];
  const decisions: number[] = [];
  for (let i = 0; i < n; i++) {
    const length = 5 + Math.floor(random() * 20);
    // Zipf-like: index ∝ u², so low indices are frequent and the tail is rare.
    const words = Array.from({ length }, () => vocabulary[Math.floor(random() * random() * vocabulary.length)]);
    let decision = 0;
    if (random() < 0.6) {
      const trigger = triggers[Math.floor(random() * triggers.length)];
      words.splice(Math.floor(random() * words.length), 0, trigger.word);
      decision = trigger.decision;
    }
    texts.push(words.join(' '));
    decisions.push(decision);
  }
  return behaviourFrom(texts, decisions, ['none', 'alpha', 'beta', 'gamma'], seed + 1);
}
