/**
 * The behaviour functions a policy is scored by, on the probes its antecedent covers:
 * strength f_R = mean margin (nats), adherence = share of covered probes whose argmax is the action, and a
 * smoothed adherence mean σ(m) = mean p(a|x) whose gradient linearises adherence (see scales.ts).
 */
import { PolicyTraceError } from '../errors';
import { LinearHead, marginAndGradient, argmax, addOuter, classToRowCoefficients, type Features } from './linearHead';
import type { PolicyQuery } from './types';

export interface PolicyMeasure {
  /** Mean margin log p(a|x) − log(1 − p(a|x)) over covered probes (nats). */
  strength: number;
  /** Share of covered probes whose predicted class is the action. */
  adherence: number;
  /** Mean p(a|x) over covered probes. */
  smoothAdherence: number;
  covered: number;
}

export interface PolicyGradients {
  measure: PolicyMeasure;
  /** ∇θ strength. */
  strength: Float64Array;
  /** ∇θ smoothed adherence = mean p(1 − p) ∇m. */
  smoothAdherence: Float64Array;
}

export function checkPolicy(head: LinearHead, probeFeatures: Features, policy: PolicyQuery): number[] {
  const probeCount = probeFeatures.length / head.dim;
  if (!Number.isInteger(probeCount)) {
    throw new PolicyTraceError(
      `probe features have ${probeFeatures.length} entries, not a multiple of the feature dim ${head.dim}`,
      { field: 'probes.features' },
      'attribution',
    );
  }
  if (!Number.isInteger(policy.actionClass) || policy.actionClass < 0 || policy.actionClass >= head.classes) {
    throw new PolicyTraceError(
      `policy ${policy.policyId}: action class ${policy.actionClass} is not in 0..${head.classes - 1}`,
      { field: 'policy.actionClass' },
      'attribution',
    );
  }
  const covered = Array.from(policy.coveredProbes);
  if (covered.length === 0) {
    throw new PolicyTraceError(`policy ${policy.policyId} covers no probes: nothing to attribute`, { field: 'policy.coveredProbes' }, 'attribution');
  }
  for (const index of covered) {
    if (!Number.isInteger(index) || index < 0 || index >= probeCount) {
      throw new PolicyTraceError(
        `policy ${policy.policyId}: covered probe index ${index} is outside 0..${probeCount - 1}`,
        { field: 'policy.coveredProbes' },
        'attribution',
      );
    }
  }
  return covered;
}

function walkCovered(
  head: LinearHead,
  theta: Float64Array,
  probeFeatures: Features,
  policy: PolicyQuery,
  visit?: (index: number, dMarginRows: Float64Array, margin: number, prob: number) => void,
): PolicyMeasure {
  const covered = checkPolicy(head, probeFeatures, policy);
  const z = new Float64Array(head.classes);
  const dMargin = new Float64Array(head.classes);
  const rowCoef = new Float64Array(head.rows);
  let strength = 0;
  let adherent = 0;
  let smooth = 0;
  for (const index of covered) {
    head.logits(probeFeatures, index, z, theta);
    if (argmax(z) === policy.actionClass) adherent++;
    const margin = marginAndGradient(z, policy.actionClass, dMargin);
    const prob = 1 / (1 + Math.exp(-margin));
    strength += margin;
    smooth += prob;
    visit?.(index, classToRowCoefficients(head, dMargin, rowCoef), margin, prob);
  }
  const m = covered.length;
  return { strength: strength / m, adherence: adherent / m, smoothAdherence: smooth / m, covered: m };
}

export function measurePolicy(head: LinearHead, theta: Float64Array, probeFeatures: Features, policy: PolicyQuery): PolicyMeasure {
  return walkCovered(head, theta, probeFeatures, policy);
}

export function policyGradients(
  head: LinearHead,
  theta: Float64Array,
  probeFeatures: Features,
  policy: PolicyQuery,
): PolicyGradients {
  const strength = new Float64Array(theta.length);
  const smoothAdherence = new Float64Array(theta.length);
  const measure = walkCovered(head, theta, probeFeatures, policy, (index, dMarginRows, _margin, prob) => {
    addOuter(head, dMarginRows, probeFeatures, index, strength);
    addOuter(head, dMarginRows, probeFeatures, index, smoothAdherence, prob * (1 - prob));
  });
  for (let j = 0; j < theta.length; j++) {
    strength[j] /= measure.covered;
    smoothAdherence[j] /= measure.covered;
  }
  return { measure, strength, smoothAdherence };
}
