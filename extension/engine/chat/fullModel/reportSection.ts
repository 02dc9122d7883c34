/**
 * The chat audit's optional `fullModel` section (options.gradients = "full"): the conversations ranked by their
 * influence through every layer of the LM, each with its output (LM head) and feature (earlier layers) share,
 * and the pathway split over the listed conversations and over all of them. Built from attributeLmPolicyFullModel's
 * result; the head-only ranking stays the report's main one (measured on the sycophancy fixture,
 * test/unit/chat-fullmodel/sycophancy.test.ts: full-model identity with margin gradients and the decision token
 * reaches AUC 0.92, p@60 0.65; the LM-head path at its L2-refitted head 1.00).
 */
import type { ChatConversation } from '../types';
import type { PolicyAttribution } from '../../report/schema';
import { snippetOf, sourceRefOf } from '../../report/sourceRef';
import type { LmFullModelAttribution } from './attributeLmPolicyFullModel';
import { pathwaySplit, type PathwaySplit } from '../../attribution/pathwaySplit';

export type ChatFullModelSection = NonNullable<PolicyAttribution['fullModel']>;

/** The conversations the section lists: the `topK` highest influences, positive ones only. */
function listedConversations(result: LmFullModelAttribution, topK: number): number[] {
  const order = Array.from(result.influence.keys()).sort((a, b) => result.influence[b] - result.influence[a] || a - b);
  return order.slice(0, topK).filter((i) => result.influence[i] > 0);
}

export function chatFullModelSection(result: LmFullModelAttribution, conversations: readonly ChatConversation[], topK: number): ChatFullModelSection {
  const top = listedConversations(result, topK);
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

/** The output and feature pathways over the conversations the section lists, and over all of them. */
export function pathwayTotals(result: LmFullModelAttribution, topK: number): PathwaySplit {
  return pathwaySplit(result.outputPathway, result.featurePathway, listedConversations(result, topK));
}
