/**
 * The policy half of a chat audit: the model's A/B decision on every probe (which answer it gives the higher
 * log-probability), a rule list over the prompts that mimics those decisions, and the user's hypotheses with
 * their counterfactual check (edit the prompt, re-score both answers with the live model).
 */
import { abChoiceBehaviourSet, abChoiceProbability, type CausalLm, type PreferenceProbe } from '../../chat';
import type { Example } from '../../data/example';
import { wordTokens } from '../../featurize/wordTokens';
import { auditHypothesis, extractPolicies, parseHypothesis, type BehaviourSet, type TrainingSet } from '../../policy';
import type { PolicySet } from '../../report/schema';
import type { ResolvedSpec } from '../../spec/auditSpec';
import type { ChatAuditData } from './chatAuditData';
import { policyOptions, toUserConcept } from '../findPolicies';

export interface ChatPolicies {
  policySet: PolicySet;
  /** log p(matching | prompt) − log p(notMatching | prompt) per probe. */
  margins: Float64Array;
  /** [notMatching, matching] outcome names: the classes rules and reports use. */
  classes: string[];
  tokens: { probes: string[][]; train: string[][] };
}

/** What either policy stage of a chat audit (A/B or generated answers) works from. */
export interface ChatPolicyInput {
  spec: ResolvedSpec;
  data: ChatAuditData;
  lm: CausalLm;
  hypotheses: string[];
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** The training conversations as the rule learner sees them: their user-side text, word-tokenised. */
export function conversationTrainingSet(data: ChatAuditData): TrainingSet {
  const examples = data.conversations.map((conversation) => conversation.example);
  return { examples, tokens: examples.map((example) => wordTokens(example.text)) };
}

export async function findChatPolicies(input: ChatPolicyInput): Promise<ChatPolicies> {
  const { spec, data, lm, signal } = input;
  const concepts = spec.concepts.map(toUserConcept);
  const classes = [data.labels.notMatching, data.labels.matching];
  const parsed = input.hypotheses.map((text, i) => parseHypothesis(text, classes, { index: i + 1, concepts }));
  const { margins } = await lm.preferenceMargins(data.probes, {
    ...(signal && { signal }),
    onProgress: (done, total) => input.onProgress?.(total === 0 ? 1 : done / total),
  });
  const behaviour: BehaviourSet = abChoiceBehaviourSet(data.probes, margins, data.labels);
  const training = conversationTrainingSet(data);
  // Policies of a chat model are about its prompts: the probe file's bookkeeping fields (ids, sources, the
  // answers themselves) would only describe how the probe set was assembled.
  const options = policyOptions(spec, [...new Set(data.probes.flatMap((probe) => Object.keys(probe.example.record ?? {})))]);

  const policySet = extractPolicies(behaviour, training, options);
  const predict = counterfactualPredictor(lm, data.probes, signal);
  for (const rule of parsed) {
    signal?.throwIfAborted();
    policySet.policies.push(await auditHypothesis(rule, behaviour, training, predict, options));
  }
  return { policySet, margins, classes, tokens: { probes: behaviour.tokens, train: training.tokens } };
}

/**
 * Scores edited prompts with the probe's own two answers: the edited text becomes the prompt's user message
 * (a system message, if any, is part of the text that was edited).
 */
function counterfactualPredictor(lm: CausalLm, probes: PreferenceProbe[], signal?: AbortSignal): (examples: Example[]) => Promise<Float32Array> {
  const byPlace = new Map(probes.map((probe) => [placeOf(probe.example), probe]));
  return async (examples) => {
    const edited = examples.map((example) => {
      const original = byPlace.get(placeOf(example));
      if (!original) throw new Error(`no probe at ${placeOf(example)} to edit`);
      const message = { role: 'user' as const, content: example.text, index: 0, column: 0, line: example.line };
      return { ...original, example, prompt: [message] };
    });
    const { margins } = await lm.preferenceMargins(edited, signal ? { signal } : {});
    const probs = new Float32Array(examples.length * 2);
    margins.forEach((margin, i) => {
      const matching = abChoiceProbability(margin);
      probs[2 * i] = 1 - matching;
      probs[2 * i + 1] = matching;
    });
    return probs;
  };
}

/** Where an example came from, as a key that survives its text being edited. */
export function placeOf(example: Example): string {
  return `${example.file}:${example.line}:${example.byteOffset}`;
}
