/**
 * The chat audit's optional `fullModel` section (options.gradients = "full"): the conversations ranked by their
 * influence through every layer of the LM, each with its output (LM head) and feature (earlier layers) share,
 * and the pathway totals. Built from attributeLmPolicyFullModel's result; the head-only ranking stays the
 * report's main one (measured on the sycophancy fixture, test/unit/chat-fullmodel/sycophancy.test.ts: full-model
 * identity with margin gradients and the decision token reaches AUC 0.92, p@60 0.65; the LM-head path at its
 * L2-refitted head 1.00).
 */
import type { ChatConversation } from '../types';
import type { PolicyAttribution } from '../../report/schema';
import { snippetOf, sourceRefOf } from '../../report/sourceRef';
import type { LmFullModelAttribution } from './attributeLmPolicyFullModel';

export type ChatFullModelSection = NonNullable<PolicyAttribution['fullModel']>;

export function chatFullModelSection(result: LmFullModelAttribution, conversations: readonly ChatConversation[], topK: number): ChatFullModelSection {
  const order = Array.from(result.influence.keys()).sort((a, b) => result.influence[b] - result.influence[a] || a - b);
  const top = order.slice(0, topK).filter((i) => result.influence[i] > 0);
  return {
    method: result.method,
    scale: {
      unit: 'influence through all layers (nats of mean A/B margin per unit of up-weighting)',
      explanation:
        'Positive means up-weighting the conversation\'s SFT loss pushes the model toward the policy\'s answer through any layer; output pathway = the part through the LM head, feature pathway = through earlier layers; comparable within a policy, not across policies.',
    },
    proponents: top.map((i) => {
      const conversation = conversations[i];
      const response = conversation.messages.filter((m) => m.role === 'assistant').at(-1);
      return {
        ...sourceRefOf(conversation.example),
        snippet: snippetOf(`${conversation.example.text} → ${response?.content ?? ''}`),
        influence: result.influence[i],
        outputPathway: result.outputPathway[i],
        featurePathway: result.featurePathway[i],
      };
    }),
  };
}

/** Σ over conversations of the output and feature pathways. */
export function pathwayTotals(result: LmFullModelAttribution): { output: number; feature: number } {
  const sum = (values: Float64Array) => values.reduce((total, value) => total + value, 0);
  return { output: sum(result.outputPathway), feature: sum(result.featurePathway) };
}
