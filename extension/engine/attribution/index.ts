/**
 * Head-only policy attribution: the public API the audit pipeline and the benchmark call.
 * Everything here is synchronous, pure and deterministic (seeded).
 */
export type {
  AttributionInput,
  AttributionOptions,
  GroupKey,
  GroupKind,
  HeadWeights,
  PolicyQuery,
  PreconditionerKind,
  ProbeSet,
  TrainingSet,
} from './types';
export { attributePolicy, attributionFromScores, concentration } from './attribute';
export { attributeAndVerify, type AttributeAndVerifyOptions } from './attributeAndVerify';
export { scoreTrainingLines, type LineScores } from './lineScores';
export { verifyPolicy, defaultRemovalCount, VERIFY_RULE, type VerifyOptions } from './verify';
export { retrainHead, type RetrainOptions, type RetrainResult, type TrainingFeatures } from './retrain';
export { chooseRetrainL2, probeAgreement, type L2Choice } from './chooseL2';
export { linearDatamodelingScore, type LdsOptions, type LdsResult } from './lds';
export { measurePolicy, type PolicyMeasure } from './policyMeasure';
export { rocAuc, precisionAtK, spearman, pearson, shareInTopFraction, topIndices } from './metrics';
export { LinearHead } from './linearHead';
