/**
 * Scores PolicyTrace on a planted chat case (test/fixtures/chat/<case>/): is the planted policy found among
 * the audit's policies, does LM-head attribution rank the planted conversations first, and does removing the
 * top-k and retraining the head take the policy away next to k random conversations? Runs the same stages a
 * user's chat audit runs (spec, readers, CausalLm, policies, hidden states, L2 choice, influence).
 */
import { chooseLmL2, LmHeadKernels, lmHeadInfluence, verifyLmPolicy } from '../chat/lmHead';
import { headParameters } from '../chat/lmHead/augmentedHead';
import { precisionAtK, rocAuc } from '../attribution';
import { collectChatStates, rankByInfluence } from '../audit/chat/chatAttribution';
import { openChatCase } from './chatCaseContext';
import type { Verification } from '../report/schema';

export interface ChatCaseEvaluation {
  case: string;
  rule: string;
  poisonCount: number;
  conversations: number;
  /** Share of the covered probes where the model prefers the policy's answer, under the shipped model. */
  agreeRate: number;
  /** Policies of the audit whose rule names the planted concept, and the planted hypothesis' held-out precision. */
  extracted: { rules: string[]; mentioningConcept: string[]; hypothesisPrecision: number };
  attribution: { method: string; auc: number | null; precisionAtK: number | null; l2: number };
  verification: Verification;
}

export async function evaluateChatCase(caseDir: string, options: { preconditioner?: 'identity' | 'kfac' | 'ekfac'; seeds?: number[] } = {}): Promise<ChatCaseEvaluation> {
  const { truth, spec, ruleText, checkpoint, modelBytes, data, lm, found, covered, poison, isPoison, k } = await openChatCase(caseDir);
  try {
    const { head, states } = await collectChatStates({ spec, data, encoder: lm.encoder, modelBytes, modelFile: checkpoint.modelPath });
    const parameters = headParameters(head);
    const kernels = new LmHeadKernels(parameters.vocabSize, parameters.cols);
    try {
      const l2 = await chooseLmL2(head, states.train, states.probes, kernels);
      const influence = await lmHeadInfluence({ head: l2.baseline, train: states.train, probes: states.probes, covered, l2: l2.l2, kernels, ...(options.preconditioner && { preconditioner: options.preconditioner }) });
      const verification = await verifyLmPolicy({
        head: l2.baseline,
        baseline: l2.baseline,
        train: states.train,
        probes: states.probes,
        covered,
        flagged: rankByInfluence(influence.influence),
        k,
        seeds: options.seeds ?? [1, 2, 3],
        l2: l2.l2,
        kernels,
      });
      const margins = covered.map((i) => found.margins[i]);
      const hypothesis = found.policySet.policies.find((p) => p.origin === 'hypothesis')!;
      const concept = /concept\("([^"]+)"\)/.exec(ruleText)?.[1];
      const extractedRules = found.policySet.policies.filter((p) => p.origin === 'extracted').map((p) => p.rule);
      return {
        case: truth.case,
        rule: ruleText,
        poisonCount: poison.size,
        conversations: data.conversations.length,
        agreeRate: margins.filter((m) => m > 0).length / Math.max(1, margins.length),
        extracted: { rules: extractedRules, mentioningConcept: concept ? extractedRules.filter((r) => r.includes(concept)) : [], hypothesisPrecision: hypothesis.metrics.precision },
        attribution: {
          method: influence.method,
          auc: poison.size > 0 ? rocAuc(influence.influence, isPoison) : null,
          precisionAtK: poison.size > 0 ? precisionAtK(Array.from(influence.influence), isPoison, k) : null,
          l2: l2.l2,
        },
        verification,
      };
    } finally {
      await kernels.release();
    }
  } finally {
    await lm.dispose();
  }
}
