/**
 * Inputs and options of the policy engine. The audit pipeline hands over what the model DID on the probe
 * set (its probabilities and the readable tokens of each probe); the engine never runs the model itself
 * except through the optional `predict` callback used for counterfactual edits.
 */
import type { Example } from '../data/example';

export interface BehaviourSet {
  examples: Example[];
  /** n × C row-major model probabilities (sigmoid models are given as 2 columns). */
  probs: Float32Array;
  /** Class names, index = class id; the model's decision is the argmax. */
  classes: string[];
  /** Readable tokens per example (from the featurizer; lower-cased words). */
  tokens: string[][];
}

/** Training examples with gold labels, for "does the model follow the rule more than the data does?". */
export interface TrainingSet {
  examples: Example[];
  tokens: string[][];
}

/** Runs the model on edited examples; returns n × C probabilities, row-major. */
export type PredictFn = (examples: Example[]) => Promise<Float32Array>;

/** A user-named concept from the audit spec: `concept("polite")` in rules. */
export type UserConceptSpec =
  | { name: string; keywords: string[] }
  | { name: string; regex: string; ignoreCase?: boolean };

export interface PolicyOptions {
  /** Seed for the held-out split, bootstrap and counterfactual edits. Default 1. */
  seed?: number;
  /** Share of probes held out for reporting metrics. Default 0.3. */
  heldOutFraction?: number;
  /** Most rules in the list. Default 10. */
  maxRules?: number;
  /** Most conditions per rule. Default 3. */
  maxConditions?: number;
  /** Beam width of the per-rule search. Default 5. */
  beamWidth?: number;
  /** Fewest fit probes a rule (and a mined concept) must cover. Default max(5, 1% of the fit part). */
  minSupport?: number;
  /** Lowest fit precision a rule may have. Default 0.6. */
  minPrecision?: number;
  /** Family-wise significance level for accepting a rule (Bonferroni over the candidates searched). Default 0.05. */
  alpha?: number;
  /** Bootstrap resamples for stability; 0 disables. Default 20. */
  bootstrapResamples?: number;
  /** Most token/phrase concepts kept after mining. Default 300. */
  maxTokenConcepts?: number;
  /** User-named concepts (keyword lists or regexes). */
  concepts?: UserConceptSpec[];
  /** Record fields never turned into concepts (the label, ids...). Fields equal to the text/label/id are skipped anyway. */
  excludeFields?: string[];
  /** Most probes edited per direction in a counterfactual check. Default 500. */
  maxCounterfactualEdits?: number;
}

export type ResolvedPolicyOptions = Required<Omit<PolicyOptions, 'minSupport'>> & { minSupport?: number };

export function resolveOptions(options: PolicyOptions = {}): ResolvedPolicyOptions {
  return {
    seed: options.seed ?? 1,
    heldOutFraction: options.heldOutFraction ?? 0.3,
    maxRules: options.maxRules ?? 10,
    maxConditions: options.maxConditions ?? 3,
    beamWidth: options.beamWidth ?? 5,
    minSupport: options.minSupport,
    minPrecision: options.minPrecision ?? 0.6,
    alpha: options.alpha ?? 0.05,
    bootstrapResamples: options.bootstrapResamples ?? 20,
    maxTokenConcepts: options.maxTokenConcepts ?? 300,
    concepts: options.concepts ?? [],
    excludeFields: options.excludeFields ?? [],
    maxCounterfactualEdits: options.maxCounterfactualEdits ?? 500,
  };
}

/** The fit-part minimum support: an explicit option, else max(5, 1% of the fit rows). */
export function minSupportFor(options: ResolvedPolicyOptions, fitRows: number): number {
  return options.minSupport ?? Math.max(5, Math.ceil(0.01 * fitRows));
}
