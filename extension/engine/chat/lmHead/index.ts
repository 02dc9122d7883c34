/** Policy attribution for causal LMs through the lm_head, verified by exact head retraining. */
export type { AbProbeStates, LmHead, LmPreconditionerKind, TokenSequence, TokenStates } from './types';
export { exposeLmHead, type ExposedLmHead, type ExposeOptions } from './exposeLmHead';
export { collectTokenStates, runnerForward, sessionForward, type BatchForward, type CollectOptions } from './collectTokenStates';
export { LmHeadKernels } from './headKernels';
export { lmHeadInfluence, type LmInfluenceInput, type LmInfluenceResult } from './influence';
export { measureAbBehaviour } from './abBehaviour';
export type { AbBehaviour } from './probeQuery';
export { retrainLmHead, type LmRetrainOptions, type LmRetrainResult } from './retrain';
export { verifyLmPolicy, LM_VERIFY_RULE, type LmVerification, type LmVerifyInput } from './verify';
export { DEFAULT_DAMPING_RATIO, DEFAULT_PRECONDITIONER } from './preconditioner';
export { attributeLmPolicy, type LmAttribution, type LmAttributionInput } from './attributeLmPolicy';
export { chooseLmL2, LM_L2_GRID, type LmL2Choice } from './chooseL2';
