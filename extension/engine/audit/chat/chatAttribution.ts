/**
 * Attribution for a chat model's A/B policies through its LM head: every training conversation is scored by
 * its influence on the policy's mean margin over the probes the policy covers (at the head retrained on all
 * conversations with the L2 chosen once per audit — see chat/lmHead/attributeLmPolicy.ts), summed by file,
 * source group and the rule's own group (conversations whose prompt satisfies the antecedent), and verified
 * by retraining the head without the flagged conversations next to as many random ones.
 */
import { chooseLmL2, collectTokenStates, exposeLmHead, LmHeadKernels, lmHeadInfluence, runnerForward, verifyLmPolicy, type AbProbeStates, type LmHead, type TokenSequence, type TokenStates } from '../../chat/lmHead';
import { attributeLmPolicyFullModel, chatFullModelSection, DEFAULT_LM_PROJECTION, pathwayTotals } from '../../chat/fullModel';
import { PolicyTraceError } from '../../errors';
import type { ChatEncoder } from '../../chat';
import { headParameters } from '../../chat/lmHead/augmentedHead';
import { coveredIndices, parseHypothesis, ruleCovers } from '../../policy';
import type { AttributedLine, GroupScore, Policy, PolicyAttribution, ScoreScale } from '../../report/schema';
import { snippetOf, sourceRefOf } from '../../report/sourceRef';
import { ModelRunner } from '../../runner/modelRunner';
import type { ResolvedSpec } from '../../spec/auditSpec';
import type { ChatAuditData } from './chatAuditData';
import type { ChatPolicies } from './chatPolicies';
import { toUserConcept } from '../findPolicies';

export interface ChatAttributionInput {
  spec: ResolvedSpec;
  data: ChatAuditData;
  found: ChatPolicies;
  encoder: ChatEncoder;
  modelBytes: Uint8Array;
  modelFile: string;
  verify: boolean;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

export interface ChatAttributionResult {
  attribution: PolicyAttribution[];
  head: { node: string; op: string; inputDim: number; outputDim: number; featureTensor: string };
}

export async function attributeChatPolicies(input: ChatAttributionInput): Promise<ChatAttributionResult> {
  const { spec, data, found } = input;
  input.onProgress?.('hidden states of the training conversations and the probe answers');
  const { exposed, head, states } = await collectChatStates(input);
  const parameters = headParameters(head);
  const kernels = new LmHeadKernels(parameters.vocabSize, parameters.cols);
  try {
    input.onProgress?.('choosing the retraining L2 and refitting the head on all conversations');
    const l2 = await chooseLmL2(head, states.train, states.probes, kernels);
    const results: PolicyAttribution[] = [];
    const concepts = spec.concepts.map(toUserConcept);
    let trainSequences: TokenSequence[] | undefined;
    for (const [index, policy] of found.policySet.policies.entries()) {
      input.signal?.throwIfAborted();
      input.onProgress?.(`policy ${index + 1} of ${found.policySet.policies.length}: ${policy.rule}`);
      const rule = parseHypothesis(policy.rule, found.classes, { concepts });
      const covered = coveredIndices(rule, data.probes.map((p) => p.example), found.tokens.probes);
      if (covered.length === 0) continue;
      // The A/B margin is log p(matching) − log p(notMatching); a rule whose action is the other outcome asks for its negative.
      const probes: AbProbeStates = rule.actionIndex === 1 ? states.probes : { matching: states.probes.notMatching, notMatching: states.probes.matching };
      const influence = await lmHeadInfluence({ head: l2.baseline, train: states.train, probes, covered, l2: l2.l2, kernels, ...(spec.chat?.preconditioner && { preconditioner: spec.chat.preconditioner }) });
      const ruleGroup = data.conversations.flatMap((c, i) => (ruleCovers(rule, c.example, found.tokens.train[i]) ? [i] : []));
      const attribution = reportShape(input, policy, influence, ruleGroup);
      attribution.method.damping = influence.damping;
      if (spec.options.gradients === 'full') {
        input.onProgress?.(`full-model gradients for policy ${index + 1}`);
        const full = await fullModelOrFallback(input, rule.actionIndex === 1, covered, (trainSequences ??= data.conversations.map((c) => input.encoder.encodeConversation(c))));
        if ('reason' in full) attribution.fullModelFallback = full.reason;
        else (attribution.fullModel = full.section), (attribution.pathways = full.pathways);
      }
      if (input.verify && attribution.proponents.length > 0) {
        input.onProgress?.(`verifying policy ${index + 1} by retraining the head`);
        const seeds = Array.from({ length: spec.options.randomSeeds }, (_, i) => spec.options.seed + i + 1);
        const order = rankByInfluence(influence.influence);
        const k = defaultRemovalCount(data.conversations.length);
        attribution.verification = await verifyLmPolicy({ head: l2.baseline, baseline: l2.baseline, train: states.train, probes, covered, flagged: order, k, seeds, l2: l2.l2, kernels });
        if (ruleGroup.length > 0 && ruleGroup.length <= 0.5 * data.conversations.length) {
          const group = await verifyLmPolicy({ head: l2.baseline, baseline: l2.baseline, train: states.train, probes, covered, flagged: ruleGroup, seeds, l2: l2.l2, kernels });
          attribution.groupVerification = { ...group, group: groupName(policy) };
        }
      }
      results.push(attribution);
    }
    return {
      attribution: results,
      head: { node: exposed.node, op: 'MatMul', inputDim: exposed.hiddenSize, outputDim: exposed.vocabSize, featureTensor: exposed.hiddenTensor },
    };
  } finally {
    await kernels.release();
  }
}

export interface ChatStates {
  exposed: ReturnType<typeof exposeLmHead>;
  head: LmHead;
  /** Hidden states feeding the LM head at every trained token of every conversation, and at both answers of every probe. */
  states: { train: TokenStates; probes: AbProbeStates };
}

export async function collectChatStates(input: Pick<ChatAttributionInput, 'spec' | 'data' | 'encoder' | 'modelBytes' | 'modelFile'>): Promise<ChatStates> {
  const exposed = exposeLmHead(input.modelBytes, { file: input.modelFile });
  const head: LmHead = { weight: exposed.weight, bias: exposed.bias, vocabSize: exposed.vocabSize, hiddenSize: exposed.hiddenSize };
  const states = await collectStates(input, exposed.modelBytes, exposed.hiddenTensor, exposed.vocabSize);
  return { exposed, head, states };
}

async function collectStates(
  input: Pick<ChatAttributionInput, 'spec' | 'data' | 'encoder' | 'modelFile'>,
  modelBytes: Uint8Array,
  hiddenTensor: string,
  vocabSize: number,
): Promise<{ train: TokenStates; probes: AbProbeStates }> {
  const { data, encoder } = input;
  const runner = await ModelRunner.start({ modelBytes, outputs: [hiddenTensor], file: input.modelFile, ...(input.spec.options.threads !== undefined && { threads: input.spec.options.threads }) });
  try {
    const forward = runnerForward(runner, { hiddenTensor, padId: encoder.ids.pad, vocabSize });
    const options = { hiddenTensor, padId: encoder.ids.pad, vocabSize, batchSize: 32 };
    const train = await collectTokenStates(forward, data.conversations.map((c) => encoder.encodeConversation(c)), options);
    const matching = await collectTokenStates(forward, data.probes.map((p) => encoder.encodePromptResponse(p.prompt, p.matching)), options);
    const notMatching = await collectTokenStates(forward, data.probes.map((p) => encoder.encodePromptResponse(p.prompt, p.notMatching)), options);
    return { train, probes: { matching, notMatching } };
  } finally {
    await runner.dispose();
  }
}

/**
 * Full-model attribution through the ONNX backward graph (chat/fullModel), TRAK when the spec asks for it and
 * the identity otherwise (identity ranks the fixture's planted lines far better: AUC 0.92 vs 0.59). A model the backward graph cannot handle (an op without a gradient rule, a batch
 * layout the probe cannot tell) gives the reason instead, and the policy keeps its head-only attribution.
 */
async function fullModelOrFallback(
  input: ChatAttributionInput,
  actionIsMatching: boolean,
  covered: number[],
  train: TokenSequence[],
): Promise<{ section: NonNullable<PolicyAttribution['fullModel']>; pathways: NonNullable<PolicyAttribution['pathways']> } | { reason: string }> {
  const { data, encoder, spec } = input;
  const matching = data.probes.map((p) => encoder.encodePromptResponse(p.prompt, p.matching));
  const notMatching = data.probes.map((p) => encoder.encodePromptResponse(p.prompt, p.notMatching));
  const size = spec.options.projectionSize ?? DEFAULT_LM_PROJECTION.kIn;
  try {
    const result = await attributeLmPolicyFullModel({
      modelBytes: input.modelBytes,
      modelFile: input.modelFile,
      train,
      probes: actionIsMatching ? { matching, notMatching } : { matching: notMatching, notMatching: matching },
      covered,
      preconditioner: spec.options.preconditioner === 'trak' ? 'trak' : 'identity',
      // Margin gradients and the decision token: on the sycophancy fixture AUC 0.92 vs 0.54 for SFT-loss
      // gradients and whole-answer margins (test/unit/chat-fullmodel/sycophancy.test.ts).
      trainGradient: 'margin',
      query: 'firstDivergent',
      projection: { kIn: size, kOut: size, seed: spec.options.seed },
      padId: encoder.ids.pad,
    });
    return { section: chatFullModelSection(result, data.conversations, spec.options.topK), pathways: pathwayTotals(result, spec.options.topK) };
  } catch (error) {
    if (!(error instanceof PolicyTraceError)) throw error;
    return { reason: `full-model gradients unavailable (${error.message}); the attribution is head-only` };
  }
}

/** Conversation indices, most supportive (largest influence) first. */
export function rankByInfluence(influence: Float64Array): number[] {
  return Array.from(influence.keys()).sort((a, b) => influence[b] - influence[a] || a - b);
}

/**
 * How many top conversations to remove: 5% of them (at least 10). Not the classifier's "smallest k predicted
 * to halve the strength": through an LM head, first-order predictions understate memorised conversations by
 * ~3× (measured: the 60 planted ones predict −7.8 nats, retraining shows −21.4), so that rule stops at a
 * fraction of the lines that carry the policy (43 of 60 on the benchmark, leaving 98% agreement).
 */
function defaultRemovalCount(lines: number): number {
  return Math.min(lines - 1, Math.max(10, Math.ceil(0.05 * lines)));
}

function groupName(policy: Policy): string {
  return `conversations whose prompt satisfies ${policy.conditions.join(' and ') || policy.rule}`;
}

function reportShape(
  input: ChatAttributionInput,
  policy: Policy,
  influence: Awaited<ReturnType<typeof lmHeadInfluence>>,
  ruleGroup: number[],
): PolicyAttribution {
  const { data, spec } = input;
  const topK = spec.options.topK;
  const order = rankByInfluence(influence.influence);
  const line = (i: number): AttributedLine => {
    const conversation = data.conversations[i];
    const response = conversation.messages.filter((m) => m.role === 'assistant').at(-1);
    return {
      ...sourceRefOf(conversation.example),
      snippet: snippetOf(`${conversation.example.text} → ${response?.content ?? ''}`),
      influence: influence.influence[i],
      deltaStrength: influence.predictedMarginChange[i],
      deltaAdherence: influence.predictedAgreeChange[i],
    };
  };
  const proponents = order.filter((i) => influence.influence[i] > 0);
  const opponents = order.filter((i) => influence.influence[i] < 0).reverse();
  const strength = influence.behaviour.meanMargin;
  let carried = 0;
  for (const i of proponents.slice(0, topK)) carried -= influence.predictedMarginChange[i];
  const uniformShare = Math.min(1, topK / data.conversations.length);
  const pct = (x: number): string => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
  return {
    policyId: policy.id,
    method: { gradients: 'head', preconditioner: influence.method, damping: influence.damping, ranking: 'effect' },
    scales: chatScales(data.conversations.length),
    proponents: proponents.slice(0, topK).map(line),
    opponents: opponents.slice(0, topK).map(line),
    groups: groupSums(input, influence, ruleGroup, policy),
    concentration:
      strength > 0
        ? { k: topK, topShare: carried / strength, uniformShare, summary: `Removing the top ${topK} conversations (${pct(uniformShare)} of the training set) is predicted to take away ${pct(carried / strength)} of the policy's margin (${strength.toFixed(2)} nats at the retrained head); first-order predictions understate memorised lines, which verification measures.` }
        : { k: topK, topShare: null, uniformShare, summary: `The model does not follow this policy (mean margin ${strength.toFixed(2)} nats at the retrained head), so no conversation carries it.` },
  };
}

function groupSums(input: ChatAttributionInput, influence: Awaited<ReturnType<typeof lmHeadInfluence>>, ruleGroup: number[], policy: Policy): GroupScore[] {
  const sums = new Map<string, GroupScore>();
  const add = (kind: GroupScore['kind'], name: string, i: number): void => {
    const key = `${kind}\u0000${name}`;
    const entry = sums.get(key) ?? { kind, name, lines: 0, deltaStrength: 0, deltaAdherence: 0 };
    entry.lines++;
    entry.deltaStrength += influence.predictedMarginChange[i];
    entry.deltaAdherence += influence.predictedAgreeChange[i];
    sums.set(key, entry);
  };
  input.data.conversations.forEach((conversation, i) => {
    add('file', conversation.example.file, i);
    if (conversation.example.group !== undefined) add('group', conversation.example.group, i);
  });
  for (const i of ruleGroup) add('concept', groupName(policy), i);
  return [...sums.values()].sort((a, b) => a.deltaStrength - b.deltaStrength || a.name.localeCompare(b.name));
}

function chatScales(conversations: number): { influence: ScoreScale; deltaStrength: ScoreScale; deltaAdherence: ScoreScale } {
  return {
    influence: {
      unit: 'influence (nats of mean A/B margin per unit of up-weighting)',
      explanation: 'Positive means the conversation pushes the model toward the policy: up-weighting its SFT loss by ε raises the mean margin log p(matching answer) − log p(other answer) over the covered probes by about ε × this value, through the LM head with a K-FAC curvature.',
    },
    deltaStrength: {
      unit: 'Δ margin if removed (nats)',
      explanation: `Predicted first-order change of the covered probes' mean A/B margin if this conversation alone were removed from the ${conversations} training conversations; negative means it supports the policy, group values are sums, and memorised conversations are understated (verification retrains for real).`,
    },
    deltaAdherence: {
      unit: 'Δ agree rate if removed (share of covered probes)',
      explanation: 'Predicted change in the share of covered probes where the model prefers the policy\'s answer if the conversation were removed, linearised through σ(margin); negative means support, −0.01 is one probe in a hundred.',
    },
  };
}
