/**
 * Generation behaviours of a chat audit: the model answers each probe prompt greedily and the answer is
 * labelled (opens with a refusal; longer than a multiple of the data's own answer; matches a pattern). The
 * labels feed the same rule learner as every other audit, so policies read "IF the prompt … THEN the model
 * refuses". Hypotheses are checked by editing the prompt and generating again.
 */
import { compileResponsePattern, DEFAULT_REFUSAL_PHRASES, labelBehaviourSet, refusal, responsePredicate, verbosity, type CausalLm, type Generation } from '../../chat';
import type { Example } from '../../data/example';
import { PolicyTraceError } from '../../errors';
import { auditHypothesis, extractPolicies, parseHypothesis } from '../../policy';
import type { PolicySet } from '../../report/schema';
import type { ResolvedSpec } from '../../spec/auditSpec';
import { policyOptions, toUserConcept } from '../findPolicies';
import type { GenerationProbe } from './chatAuditData';
import { conversationTrainingSet, placeOf, type ChatPolicyInput } from './chatPolicies';

export interface GeneratedPolicies {
  policySet: PolicySet;
  /** [the behaviour absent, the behaviour present], e.g. [complies, refuses]. */
  classes: string[];
  /** Each probe's label and the answer it was given for. */
  labels: string[];
  answers: string[];
}

type Labeller = (generation: Generation, probe: GenerationProbe) => string;

export async function findGeneratedPolicies(input: ChatPolicyInput): Promise<GeneratedPolicies> {
  const { spec, data, lm, signal } = input;
  const { classes, label } = labeller(spec, lm);
  const concepts = spec.concepts.map(toUserConcept);
  const parsed = input.hypotheses.map((text, i) => parseHypothesis(text, classes, { index: i + 1, concepts }));
  const maxNewTokens = spec.chat?.maxNewTokens ?? 32;
  const labels: string[] = [];
  const answers: string[] = [];
  for (const [i, probe] of data.generationProbes.entries()) {
    signal?.throwIfAborted();
    const generation = await lm.generateGreedy(probe.prompt, maxNewTokens, signal ? { signal } : {});
    labels.push(label(generation, probe));
    answers.push(generation.text);
    input.onProgress?.((i + 1) / data.generationProbes.length);
  }
  const examples = data.generationProbes.map((probe) => probe.example);
  const behaviour = labelBehaviourSet(examples, labels, classes);
  const training = conversationTrainingSet(data);
  // Policies are about the prompts: the probe records' own fields (ids, sources, reference answers) are left out.
  const options = policyOptions(spec, [...new Set(examples.flatMap((example) => Object.keys(example.record ?? {})))]);
  const policySet = extractPolicies(behaviour, training, options);
  const byPlace = new Map(data.generationProbes.map((probe) => [placeOf(probe.example), probe]));
  const predict = async (edited: Example[]): Promise<Float32Array> => {
    const probs = new Float32Array(edited.length * classes.length);
    for (const [row, example] of edited.entries()) {
      const original = byPlace.get(placeOf(example));
      if (!original) throw new Error(`no probe at ${placeOf(example)} to edit`);
      const prompt = [{ role: 'user' as const, content: example.text, index: 0, column: 0, line: example.line }];
      const generation = await lm.generateGreedy(prompt, maxNewTokens, signal ? { signal } : {});
      probs[row * classes.length + classes.indexOf(label(generation, { ...original, prompt }))] = 1;
    }
    return probs;
  };
  for (const rule of parsed) {
    signal?.throwIfAborted();
    policySet.policies.push(await auditHypothesis(rule, behaviour, training, predict, options));
  }
  return { policySet, classes, labels, answers };
}

function labeller(spec: ResolvedSpec, lm: CausalLm): { classes: string[]; label: Labeller } {
  const chat = spec.chat ?? {};
  switch (chat.behaviour) {
    case 'refusal': {
      const phrases = chat.refusalPhrases ?? DEFAULT_REFUSAL_PHRASES;
      return { classes: ['complies', 'refuses'], label: (generation) => refusal(generation.text, phrases) };
    }
    case 'verbosity': {
      const ratio = chat.verbosityRatio ?? 1.5;
      return { classes: ['concise', 'verbose'], label: (generation, probe) => verbosity(generation.tokenIds, lm.encoder.contentIds(probe.reference), ratio) };
    }
    case 'responseMatches': {
      if (!chat.responsePattern) throw new PolicyTraceError('behaviour "responseMatches" needs chat.responsePattern', { file: spec.specPath, field: 'chat.responsePattern' }, 'spec');
      const pattern = compileResponsePattern(chat.responsePattern, { ignoreCase: true, labels: { matches: 'matches', noMatch: 'no_match' } });
      return { classes: ['no_match', 'matches'], label: (generation) => responsePredicate(generation.text, pattern) };
    }
    default:
      throw new PolicyTraceError(`behaviour "${String(chat.behaviour)}" is not a generation behaviour`, { file: spec.specPath, field: 'chat.behaviour' }, 'spec');
  }
}
