/**
 * Picks the L2 of the retraining objective (retrain.ts) so that the head refitted on all lines (the baseline)
 * still behaves like the shipped head: the same greedy next token on the trained tokens and the same A/B
 * choice on every probe. The grid runs from strong to weak regularisation (each fit warm-starts the next);
 * the strongest λ whose two agreements are both within 0.001 of their best over the grid wins: better
 * conditioned, and at an optimum of a regularised objective the influence function is valid, while a head
 * trained to memorise its data (Adam, no L2) has vanishing gradients on the very lines it memorised.
 * Measured on the sycophancy fixture (see the chat-lmhead tests): λ = 0.01 (token agreement 0.9958,
 * probe agreement 0.9967).
 */
import { headFromParameters, headParameters } from './augmentedHead';
import type { LmHeadKernels } from './headKernels';
import { prepareProbes, probeBehaviour } from './probeQuery';
import { fitHeadParameters, trainProblem } from './retrain';
import type { AbProbeStates, LmHead, TokenStates } from './types';

export const LM_L2_GRID = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4];

export interface LmL2Choice {
  l2: number;
  /** The head retrained on all lines with that l2 (the verification baseline). */
  baseline: LmHead;
  tokenAgreement: number;
  probeAgreement: number;
  tried: { l2: number; tokenAgreement: number; probeAgreement: number; iterations: number }[];
}

export async function chooseLmL2(
  head: LmHead,
  train: TokenStates,
  probes: AbProbeStates,
  kernels: LmHeadKernels,
  grid: number[] = LM_L2_GRID,
): Promise<LmL2Choice> {
  const parameters = headParameters(head);
  const problem = trainProblem(kernels, train, parameters);
  const allProbes = prepareProbes(probes, parameters);
  const shippedTokens = (await kernels.lossGrad(parameters.theta, problem.rows)).top;
  const shippedProbes = (await probeBehaviour(kernels, parameters.theta, allProbes)).margins;
  const tried: LmL2Choice['tried'] = [];
  const fits: Float64Array[] = [];
  let warm: ArrayLike<number> = parameters.theta;
  for (const l2 of [...grid].sort((a, b) => b - a)) {
    const fit = await fitHeadParameters(problem, warm, l2);
    const theta = Float32Array.from(fit.theta);
    const tokens = (await kernels.lossGrad(theta, problem.rows)).top;
    const margins = (await probeBehaviour(kernels, theta, allProbes)).margins;
    tried.push({
      l2,
      tokenAgreement: tokens.reduce((s, t, r) => s + (t === shippedTokens[r] ? 1 : 0), 0) / Math.max(1, tokens.length),
      probeAgreement: margins.reduce((s, m, j) => s + (m > 0 === shippedProbes[j] > 0 ? 1 : 0), 0) / margins.length,
      iterations: fit.iterations,
    });
    fits.push(fit.theta);
    warm = fit.theta;
  }
  const bestTokens = Math.max(...tried.map((t) => t.tokenAgreement));
  const bestProbes = Math.max(...tried.map((t) => t.probeAgreement));
  let chosen = tried.findIndex((t) => t.tokenAgreement >= bestTokens - 0.001 && t.probeAgreement >= bestProbes - 0.001);
  if (chosen < 0) chosen = tried.length - 1;
  const { l2, tokenAgreement, probeAgreement } = tried[chosen];
  return { l2, baseline: headFromParameters(fits[chosen], parameters), tokenAgreement, probeAgreement, tried };
}
