/**
 * Per-line influence of every training line on one policy, in raw and user units.
 *
 * Sign: upweighting line i by ε moves θ by −ε(H + λI)⁻¹ g_i, so the policy strength moves by
 * influence_i = −∇f_Rᵀ (H + λI)⁻¹ g_i per unit ε. Positive influence = the line pushes the model toward the
 * policy. Removing one of n lines from the mean loss (retraining keeps the same L2 on the mean of the n − 1
 * kept lines) is, to first order, Δθ = (H + λI)⁻¹ (g_i + l2·θ) / n: the l2·θ term is the regulariser growing
 * relative to a smaller data term, the same for every line. So Δstrength_i = (−influence_i + l2·∇fᵀ(H + λI)⁻¹θ) / n
 * (nats of mean margin) and Δadherence_i likewise with the smoothed adherence Ā (see scales.ts). Both add up
 * over groups of lines; with l2 = 0 they reduce to −influence_i / n.
 */
import { PolicyTraceError } from '../errors';
import { lossCoefficients, checkLabels, lineWeight, totalWeight, hessianCost, MAX_HESSIAN_COST, type LabelledFeatures } from './headObjective';
import { LinearHead, dotOuter, addOuter } from './linearHead';
import { policyGradients, type PolicyMeasure } from './policyMeasure';
import { buildPreconditioner, type Preconditioner } from './preconditioner';
import type { LineRanking } from './ranking';
import type { AttributionInput, AttributionOptions, PreconditionerKind } from './types';

export interface LineScores {
  policyId: string;
  head: LinearHead;
  preconditioner: Preconditioner;
  /** Strength/adherence of the policy under the given head. */
  measure: PolicyMeasure;
  /** Per training line (0 for unlabelled lines, which `labelled` marks). */
  influence: Float64Array;
  deltaStrength: Float64Array;
  deltaAdherence: Float64Array;
  labelled: Uint8Array;
  /** Number of labelled lines (the n of the mean loss). */
  trainCount: number;
  /** g_iᵀ M g_i: large values mark lines the head can hardly fit (outliers, mislabels). */
  selfInfluence(index: number): number;
  /** influence_i / √(g_iᵀ M g_i): how squarely the line pushes toward the policy, whatever its loss (0 when g_i = 0). */
  relativeInfluence: Float64Array;
  /** The order proponents, opponents and verification use (see ranking.ts). */
  ranking: LineRanking;
  /** The part of every line's Δstrength that comes from the L2 term growing when any one line is removed. */
  removalShift: number;
}

export const DEFAULT_MAX_EXACT_PARAMS = 2048;

export function checkTrainingInput(input: AttributionInput): void {
  const { train } = input;
  const n = train.labels.length;
  if (!(train.dim > 0) || train.features.length !== n * train.dim) {
    throw new PolicyTraceError(
      `training features have ${train.features.length} entries; expected ${n} lines × ${train.dim} dims`,
      { field: 'train.features' },
      'attribution',
    );
  }
  if (train.examples.length !== n) {
    throw new PolicyTraceError(`${train.examples.length} examples for ${n} feature rows`, { field: 'train.examples' }, 'attribution');
  }
  if (train.groups && train.groups.length !== n) {
    throw new PolicyTraceError(`${train.groups.length} group lists for ${n} lines`, { field: 'train.groups' }, 'attribution');
  }
  for (let j = 0; j < train.features.length; j++) {
    if (!Number.isFinite(train.features[j])) {
      const line = Math.floor(j / train.dim);
      const example = train.examples[line];
      throw new PolicyTraceError(`feature ${j % train.dim} is not finite`, { file: example?.file, line: example?.line }, 'attribution');
    }
  }
}

export function resolvePreconditionerKind(head: LinearHead, lines: number, options: AttributionOptions): PreconditionerKind {
  const maxExact = options.maxExactParams ?? DEFAULT_MAX_EXACT_PARAMS;
  const requested = options.preconditioner ?? 'exact';
  // Past a few thousand parameters (or ~1e9 multiply-adds to build it) a dense Hessian stops being cheap;
  // TRAK's projection bounds the cost. The report's method.preconditioner says which one ran.
  const tooLarge = head.parameterCount > maxExact || hessianCost(head, lines) > MAX_HESSIAN_COST;
  return requested === 'exact' && tooLarge ? 'trak' : requested;
}

export function scoreTrainingLines(input: AttributionInput, options: AttributionOptions = {}): LineScores {
  checkTrainingInput(input);
  const head = LinearHead.fromWeights(input.head, input.train.dim);
  checkLabels(head, input.train.labels);
  const set: LabelledFeatures = { features: input.train.features, labels: input.train.labels };
  const n = set.labels.length;
  const trainCount = totalWeight(set);
  const coefficients = lossCoefficients(head, set);
  const l2 = options.l2 ?? 0;
  const gradients = policyGradients(head, head.theta, input.probes.features, input.policy);
  const preconditioner = buildPreconditioner(head, set, coefficients, {
    kind: resolvePreconditionerKind(head, n, options),
    l2,
    dampingRatio: options.dampingRatio,
    damping: options.damping,
    projectionDim: options.projectionDim,
    seed: options.seed ?? 0,
  });
  const strengthDirection = preconditioner.apply(gradients.strength);
  const adherenceDirection = preconditioner.apply(gradients.smoothAdherence);

  let strengthShift = 0;
  let adherenceShift = 0;
  for (let j = 0; j < head.parameterCount; j++) {
    strengthShift += l2 * strengthDirection[j] * head.theta[j];
    adherenceShift += l2 * adherenceDirection[j] * head.theta[j];
  }
  const influence = new Float64Array(n);
  const deltaStrength = new Float64Array(n);
  const deltaAdherence = new Float64Array(n);
  const labelled = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (lineWeight(set, i) === 0) continue;
    labelled[i] = 1;
    const rowCoef = coefficients.subarray(i * head.rows, (i + 1) * head.rows);
    const towardStrength = dotOuter(head, strengthDirection, rowCoef, set.features, i);
    influence[i] = -towardStrength;
    deltaStrength[i] = (towardStrength + strengthShift) / trainCount;
    deltaAdherence[i] = (dotOuter(head, adherenceDirection, rowCoef, set.features, i) + adherenceShift) / trainCount;
  }

  const selfInfluence = (index: number): number => {
    const gradient = new Float64Array(head.parameterCount);
    addOuter(head, coefficients.subarray(index * head.rows, (index + 1) * head.rows), set.features, index, gradient);
    if (preconditioner.quadraticForm) return preconditioner.quadraticForm(gradient);
    const preconditioned = preconditioner.apply(gradient);
    let sum = 0;
    for (let j = 0; j < gradient.length; j++) sum += gradient[j] * preconditioned[j];
    return sum;
  };

  const relativeInfluence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!labelled[i] || influence[i] === 0) continue;
    const size = selfInfluence(i);
    relativeInfluence[i] = size > 0 ? influence[i] / Math.sqrt(size) : 0;
  }

  return {
    policyId: input.policy.policyId,
    head,
    preconditioner,
    measure: gradients.measure,
    influence,
    deltaStrength,
    deltaAdherence,
    labelled,
    trainCount,
    selfInfluence,
    relativeInfluence,
    ranking: options.ranking ?? 'relative',
    removalShift: strengthShift / trainCount,
  };
}
