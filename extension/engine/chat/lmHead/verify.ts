/**
 * Verification of an LM-head attribution by exact head retraining. The reference is the head retrained on ALL
 * lines with the same L2 (so refit drift never counts as an effect); then the head is retrained without the
 * k flagged lines and, per seed, without k random lines, each warm-started at that baseline, and the policy is
 * re-measured on the stored probe states.
 */
import { PolicyTraceError } from '../../errors';
import { SeededRandom } from '../../linalg/rng';
import type { Verification, VerificationRun } from '../../report/schema';
import { headParameters } from './augmentedHead';
import { LmHeadKernels } from './headKernels';
import { prepareProbes, probeBehaviour, type AbBehaviour } from './probeQuery';
import { fitHeadParameters, keepWeights, trainProblem } from './retrain';
import type { AbProbeStates, LmHead, TokenStates } from './types';

export const LM_VERIFY_RULE =
  'verified when removing the flagged lines lowers the agree rate by at least 0.2 and by at least 3× the mean drop ' +
  'from removing as many random lines, while the random drop stays ≤ 0.1';

export interface LmVerifyInput {
  head: LmHead;
  train: TokenStates;
  probes: AbProbeStates;
  covered?: number[];
  /** Training sequence indices, most responsible first (e.g. by influence). */
  flagged: number[];
  /** How many flagged lines to remove (default all given). */
  k?: number;
  seeds?: number[];
  l2: number;
  /** The head already retrained on all lines with this l2 (attributeLmPolicy's baseline); refitted when absent. */
  baseline?: LmHead;
  tolerance?: number;
  kernels?: LmHeadKernels;
}

export interface LmVerification extends Verification {
  /** Per retraining: L-BFGS iterations, final max |∇J|, milliseconds. */
  fits: { label: string; iterations: number; gradientMaxAbs: number; converged: boolean; ms: number }[];
}

export async function verifyLmPolicy(input: LmVerifyInput): Promise<LmVerification> {
  const parameters = headParameters(input.head);
  const kernels = input.kernels ?? new LmHeadKernels(parameters.vocabSize, parameters.cols);
  const sequences = input.train.sequences;
  const k = input.k ?? input.flagged.length;
  const seeds = input.seeds ?? [1, 2, 3];
  if (!(k >= 1 && k < sequences) || input.flagged.length < k) {
    throw new PolicyTraceError(`cannot remove ${k} of ${input.flagged.length} flagged lines (${sequences} training lines)`, { field: 'k' }, 'lm-head');
  }
  if (seeds.length === 0) throw new PolicyTraceError('verification needs at least one random seed', { field: 'seeds' }, 'lm-head');
  try {
    const probes = prepareProbes(input.probes, parameters, input.covered);
    const problem = trainProblem(kernels, input.train, parameters);
    const fits: LmVerification['fits'] = [];
    const fit = async (label: string, start: ArrayLike<number>, removed: number[]): Promise<{ theta: Float64Array; behaviour: AbBehaviour }> => {
      const started = performance.now();
      const result = await fitHeadParameters(
        { ...problem, ...keepWeights(input.train.sequenceOfRow, sequences, removed) },
        start,
        input.l2,
        input.tolerance,
      );
      fits.push({ label, iterations: result.iterations, gradientMaxAbs: result.gradientMaxAbs, converged: result.converged, ms: performance.now() - started });
      return { theta: result.theta, behaviour: await probeBehaviour(kernels, Float32Array.from(result.theta), probes) };
    };
    const original = await probeBehaviour(kernels, parameters.theta, probes);
    const baseline = input.baseline
      ? await fit('baseline (all lines, given)', headParameters(input.baseline).theta, [])
      : await fit('baseline (all lines)', parameters.theta, []);
    const flaggedLines = input.flagged.slice(0, k);
    const flaggedFit = await fit(`without ${k} flagged`, baseline.theta, flaggedLines);
    const all = Array.from({ length: sequences }, (_, i) => i);
    const randomRuns: VerificationRun[] = [];
    for (const seed of seeds) {
      const removed = new SeededRandom(seed).sample(all, k);
      const run = await fit(`without ${k} random (seed ${seed})`, baseline.theta, removed);
      randomRuns.push({ removed: k, seed, strength: run.behaviour.meanMargin, adherence: run.behaviour.agreeRate });
    }
    const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
    const base = baseline.behaviour;
    const flagged = flaggedFit.behaviour;
    const randomStrength = mean(randomRuns.map((r) => r.strength));
    const randomAdherence = mean(randomRuns.map((r) => r.adherence));
    const adherenceDropFlagged = base.agreeRate - flagged.agreeRate;
    const adherenceDropRandomMean = base.agreeRate - randomAdherence;
    const verified =
      adherenceDropFlagged >= 0.2 && adherenceDropFlagged >= 3 * Math.max(0, adherenceDropRandomMean) && adherenceDropRandomMean <= 0.1;
    const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
    const agreement = base.margins.reduce((s, m, j) => s + (m > 0 === original.margins[j] > 0 ? 1 : 0), 0) / base.margins.length;
    return {
      k,
      baseline: { strength: base.meanMargin, adherence: base.agreeRate },
      flagged: { removed: k, strength: flagged.meanMargin, adherence: flagged.agreeRate },
      random: randomRuns,
      adherenceDropFlagged,
      adherenceDropRandomMean,
      strengthDropFlagged: base.meanMargin - flagged.meanMargin,
      strengthDropRandomMean: base.meanMargin - randomStrength,
      curve: [
        { removed: 0, flaggedStrength: base.meanMargin, randomStrength: base.meanMargin },
        { removed: k, flaggedStrength: flagged.meanMargin, randomStrength },
      ],
      verified,
      verdict:
        `Removing the ${k} flagged lines and retraining the lm_head moves the agree rate ${pct(base.agreeRate)} → ${pct(flagged.agreeRate)} ` +
        `and the mean margin ${base.meanMargin.toFixed(2)} → ${flagged.meanMargin.toFixed(2)} nats; ${k} random lines (${seeds.length} seeds) ` +
        `give ${pct(randomAdherence)} and ${randomStrength.toFixed(2)} nats: ${verified ? 'verified' : 'not verified'}.`,
      rule: LM_VERIFY_RULE,
      retraining: {
        method: 'L-BFGS on the token-mean SFT loss of the lm_head with L2 (features fixed)',
        l2: input.l2,
        probeAgreement: agreement,
        original: { strength: original.meanMargin, adherence: original.agreeRate },
      },
      fits,
    };
  } finally {
    if (!input.kernels) await kernels.release();
  }
}
