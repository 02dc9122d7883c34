/** Checks and reads the behaviour the pipeline hands over: decisions (argmax) and gold-label indices. */
import { PolicyTraceError } from '../errors';
import type { BehaviourSet } from './types';

export function validateBehaviour(behaviour: BehaviourSet, minimumProbes: number): void {
  const n = behaviour.examples.length;
  const classCount = behaviour.classes.length;
  if (classCount < 2) {
    throw new PolicyTraceError(`the model must have at least 2 classes to extract policies, got ${classCount}`, {}, 'policy-input');
  }
  if (behaviour.probs.length !== n * classCount) {
    throw new PolicyTraceError(
      `probe probabilities have ${behaviour.probs.length} values, expected ${n} probes × ${classCount} classes = ${n * classCount}`,
      {},
      'policy-input',
    );
  }
  if (behaviour.tokens.length !== n) {
    throw new PolicyTraceError(`got ${n} probes but ${behaviour.tokens.length} token lists`, {}, 'policy-input');
  }
  if (n < minimumProbes) {
    throw new PolicyTraceError(`need at least ${minimumProbes} probe examples to measure policies, got ${n}`, {}, 'policy-input');
  }
}

/** The model's decision per row: argmax of its probabilities (first class on ties). */
export function decisionsOf(probs: Float32Array, classCount: number): Int32Array {
  const n = probs.length / classCount;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classCount; c++) if (probs[i * classCount + c] > probs[i * classCount + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Class index of a gold label given as a class name or as a class id ("1"); undefined when neither. */
export function labelIndex(label: string | undefined, classes: readonly string[]): number | undefined {
  if (label === undefined) return undefined;
  const byName = classes.indexOf(label);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(label.trim())) {
    const id = Number(label.trim());
    if (id < classes.length) return id;
  }
  return undefined;
}
