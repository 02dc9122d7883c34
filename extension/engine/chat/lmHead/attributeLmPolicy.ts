/**
 * The recommended LM-head attribution: choose the retraining L2 against the shipped head's behaviour
 * (chooseL2.ts), retrain the head on all lines (the verification baseline), and score every line by its
 * influence at that optimum, with the L2's exact curvature in the damping. Influence functions assume the
 * parameters minimise the objective; a head memorised by its optimiser gives its memorised (poison) lines
 * near-zero gradients, the regularised optimum does not. The returned baseline feeds verifyLmPolicy.
 */
import { headParameters } from './augmentedHead';
import { chooseLmL2, type LmL2Choice } from './chooseL2';
import { LmHeadKernels } from './headKernels';
import { lmHeadInfluence, type LmInfluenceInput, type LmInfluenceResult } from './influence';
import { retrainLmHead } from './retrain';
import type { LmHead } from './types';

/** lmHeadInfluence's input (its damping is derived here), plus the refitted head to reuse. */
export interface LmAttributionInput extends Pick<LmInfluenceInput, 'head' | 'train' | 'probes' | 'covered' | 'preconditioner' | 'dampingRatio' | 'kernels'> {
  /** Skip the L2 search and use this L2. */
  l2?: number;
  /** With `l2`: the head already retrained on all lines with it (skips that refit). */
  baseline?: LmHead;
}

export interface LmAttribution {
  l2: LmL2Choice | { l2: number; baseline: LmHead };
  /** Influence at the baseline (the head retrained on all lines). */
  influence: LmInfluenceResult;
}

export async function attributeLmPolicy(input: LmAttributionInput): Promise<LmAttribution> {
  const parameters = headParameters(input.head);
  const kernels = input.kernels ?? new LmHeadKernels(parameters.vocabSize, parameters.cols);
  try {
    let choice: LmAttribution['l2'];
    if (input.l2 !== undefined) {
      const baseline = input.baseline ?? (await retrainLmHead(input.head, input.train, { l2: input.l2, kernels })).head;
      choice = { l2: input.l2, baseline };
    } else {
      choice = await chooseLmL2(input.head, input.train, input.probes, kernels);
    }
    const influence = await lmHeadInfluence({
      head: choice.baseline,
      train: input.train,
      probes: input.probes,
      covered: input.covered,
      preconditioner: input.preconditioner,
      dampingRatio: input.dampingRatio,
      l2: choice.l2,
      kernels,
    });
    return { l2: choice, influence };
  } finally {
    if (!input.kernels) await kernels.release();
  }
}
