/**
 * The policy stage of an audit: what the model does on the probes, as an extracted rule list plus the
 * hypotheses the user asked about (each with a counterfactual check run through the live model).
 */
import type { Featurizer } from '../featurize/featurizer';
import { auditHypothesis, extractPolicies, parseHypothesis, type BehaviourSet, type PolicyOptions, type TrainingSet, type UserConceptSpec } from '../policy';
import type { PolicySet } from '../report/schema';
import type { ResolvedSpec } from '../spec/auditSpec';
import type { AuditData } from './auditData';
import type { ForwardResult } from './forwardPass';

export interface FoundPolicies {
  policySet: PolicySet;
  /** Readable tokens per probe and per training line, reused by attribution for concept groups. */
  tokens: { probes: string[][]; train: string[][] };
  warnings: string[];
}

export async function findPolicies(input: {
  spec: ResolvedSpec;
  data: AuditData;
  forward: ForwardResult;
  classes: string[];
  featurizer: Featurizer;
  hypotheses: string[];
  signal?: AbortSignal;
}): Promise<FoundPolicies> {
  const { spec, data, forward, classes, featurizer } = input;
  const concepts = spec.concepts.map(toUserConcept);
  // Parse every hypothesis first: a typo should fail fast, with its column, before minutes of work.
  const parsed = input.hypotheses.map((text, i) => parseHypothesis(text, classes, { index: i + 1, concepts }));
  const tokens = {
    probes: data.probes.map((example) => featurizer.tokens(example.text)),
    train: data.train.map((example) => featurizer.tokens(example.text)),
  };
  const behaviour: BehaviourSet = { examples: data.probes, probs: forward.probeProbs, classes, tokens: tokens.probes };
  const training: TrainingSet = { examples: data.train, tokens: tokens.train };
  const options = policyOptions(spec, [spec.fields.label, spec.fields.id, spec.fields.split].filter((f): f is string => f !== undefined));
  const policySet = extractPolicies(behaviour, training, options);
  for (const rule of parsed) {
    input.signal?.throwIfAborted();
    policySet.policies.push(await auditHypothesis(rule, behaviour, training, (examples) => forward.predict(examples), options));
  }
  return { policySet, tokens, warnings: [] };
}

/** The rule learner's options from the spec; `excludeFields` are record fields that must not become concepts. */
export function policyOptions(spec: ResolvedSpec, excludeFields: string[]): PolicyOptions {
  return {
    seed: spec.options.seed,
    maxRules: spec.options.maxRules,
    maxConditions: spec.options.maxConditions,
    bootstrapResamples: spec.options.bootstrap,
    concepts: spec.concepts.map(toUserConcept),
    excludeFields,
  };
}

export function toUserConcept(concept: ResolvedSpec['concepts'][number]): UserConceptSpec {
  if (concept.regex !== undefined) return { name: concept.name, regex: concept.regex };
  return { name: concept.name, keywords: concept.keywords ?? [] };
}
