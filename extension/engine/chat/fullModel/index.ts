export { attributeLmPolicyFullModel, DEFAULT_LM_PROJECTION, type LmFullModelAttribution, type LmFullModelInput, type LmFullModelPreconditioner } from './attributeLmPolicyFullModel';
export { fitDualTrak, type DualTrak } from './dualTrak';
export { findLmHeadParams } from './lmHeadParams';
export { checkLmInputs, forEachSequenceGradient, longestSequence, openSequenceGradients, type SequenceGradientModel } from './sequenceGradients';
export { chatFullModelSection, pathwayTotals, type ChatFullModelSection } from './reportSection';
export { decisionTokens } from './decisionToken';
