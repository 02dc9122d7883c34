/** Chat data and causal-LM scoring: the public surface of extension/engine/chat (lmHead/ is separate). */
export { readChatDataset, type ChatDataset, type ChatReadOptions } from './readChatDataset';
export { readPreferenceProbes, labelsFor, type PreferenceProbeSet } from './readPreferenceProbes';
export { DEFAULT_CHAT_TEMPLATE, type ChatTemplate, type TemplateIds } from './chatTemplate';
export { ChatEncoder, type ChatEncoderOptions, type EncodedSequence, type PromptMessages } from './chatEncoder';
export { CausalLm, type CausalLmOptions, type Generation, type PreferenceMargins, type ScoreOptions } from './causalLm';
export type { LmInputs, PastLayout } from './lmInputs';
export type { ScoredSequence } from './targetLogProbs';
export { abChoice, abChoiceProbability, AB_LABELS } from './behaviours/abChoice';
export { refusal, DEFAULT_REFUSAL_PHRASES } from './behaviours/refusal';
export { verbosity } from './behaviours/verbosity';
export { compileResponsePattern, responsePredicate, type ResponsePattern } from './behaviours/responsePredicate';
export { abChoiceBehaviourSet, labelBehaviourSet } from './behaviours/behaviourSet';
export * from './types';
