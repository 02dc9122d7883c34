/**
 * The policy's behaviour under a given head, from stored probe hidden states (head-only retraining leaves
 * them unchanged): per-probe margins, agree rate and mean margin. See probeQuery.ts for the definitions.
 */
import { headParameters } from './augmentedHead';
import { LmHeadKernels } from './headKernels';
import { prepareProbes, probeBehaviour, type AbBehaviour } from './probeQuery';
import type { AbProbeStates, LmHead } from './types';

export async function measureAbBehaviour(head: LmHead, probes: AbProbeStates, covered?: number[], kernels?: LmHeadKernels): Promise<AbBehaviour> {
  const parameters = headParameters(head);
  const own = kernels ?? new LmHeadKernels(parameters.vocabSize, parameters.cols);
  try {
    return await probeBehaviour(own, parameters.theta, prepareProbes(probes, parameters, covered));
  } finally {
    if (!kernels) await own.release();
  }
}
