/**
 * Scores full-model LM attribution (chat/fullModel) on a planted chat case (test/fixtures/chat/<case>/): the
 * case's hypothesis, its covered probes and the training conversations encoded by the engine's own chat stages
 * (spec, readers, CausalLm's encoder, policies), then per variant (preconditioner × definition of g_i and q)
 * the planted lines' AUC and precision@k for the raw and the relative influence (null on a case with no
 * planted lines), the output pathway's AUC, and the distribution of the scores.
 */
import { attributeLmPolicyFullModel, type LmFullModelInput } from '../chat/fullModel';
import { precisionAtK, rocAuc } from '../attribution';
import type { ProjectionOptions } from '../autodiff/projection';
import { openChatCase } from './chatCaseContext';

export interface RankingScore {
  auc: number | null;
  precisionAtK: number | null;
  /** min, 5%, median, 95%, max. */
  quantiles: [number, number, number, number, number];
}

/** One way to run it: the preconditioner and the definitions of g_i and q (attributeLmPolicyFullModel's options). */
export type ChatFullModelVariant = Pick<LmFullModelInput, 'preconditioner' | 'trainGradient' | 'query'>;

/** The SFT-loss / whole-answer definition and the margin / decision-token one, each with identity and TRAK. */
export const CHAT_FULL_MODEL_VARIANTS: ChatFullModelVariant[] = [
  { preconditioner: 'identity' },
  { preconditioner: 'trak' },
  { preconditioner: 'identity', trainGradient: 'margin', query: 'firstDivergent' },
  { preconditioner: 'trak', trainGradient: 'margin', query: 'firstDivergent' },
];

export interface ChatFullModelRun {
  variant: ChatFullModelVariant;
  raw: RankingScore;
  relative: RankingScore;
  outputPathwayAuc: number | null;
  method: string;
  ms: number;
}

export interface ChatFullModelEvaluation {
  case: string;
  rule: string;
  poisonCount: number;
  conversations: number;
  coveredProbes: number;
  k: number;
  runs: ChatFullModelRun[];
}

function quantiles(values: Float64Array): RankingScore['quantiles'] {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.round(p * (sorted.length - 1))];
  return [at(0), at(0.05), at(0.5), at(0.95), at(1)];
}

function score(values: Float64Array, isPoison: boolean[], k: number): RankingScore {
  const planted = isPoison.some(Boolean);
  return { auc: planted ? rocAuc(values, isPoison) : null, precisionAtK: planted ? precisionAtK(Array.from(values), isPoison, k) : null, quantiles: quantiles(values) };
}

export async function evaluateChatFullModel(
  caseDir: string,
  options: { variants?: ChatFullModelVariant[]; projection?: ProjectionOptions } = {},
): Promise<ChatFullModelEvaluation> {
  const { truth, ruleText, checkpoint, modelBytes, data, lm, rule, covered, poison, isPoison, k } = await openChatCase(caseDir);
  try {
    const train = data.conversations.map((c) => lm.encoder.encodeConversation(c));
    const matching = data.probes.map((p) => lm.encoder.encodePromptResponse(p.prompt, p.matching));
    const notMatching = data.probes.map((p) => lm.encoder.encodePromptResponse(p.prompt, p.notMatching));
    // The A/B margin is log p(matching) − log p(notMatching); a rule whose action is the other outcome asks for its negative.
    const probes = rule.actionIndex === 1 ? { matching, notMatching } : { matching: notMatching, notMatching: matching };
    const runs: ChatFullModelRun[] = [];
    for (const variant of options.variants ?? CHAT_FULL_MODEL_VARIANTS) {
      const started = performance.now();
      const result = await attributeLmPolicyFullModel({
        modelBytes, modelFile: checkpoint.modelPath, train, probes, covered, ...variant, padId: lm.encoder.ids.pad, ...(options.projection && { projection: options.projection }),
      });
      runs.push({
        variant,
        raw: score(result.influence, isPoison, k),
        relative: score(result.relativeInfluence, isPoison, k),
        outputPathwayAuc: poison.size > 0 ? rocAuc(result.outputPathway, isPoison) : null,
        method: result.method,
        ms: performance.now() - started,
      });
    }
    return { case: truth.case, rule: ruleText, poisonCount: poison.size, conversations: data.conversations.length, coveredProbes: covered.length, k, runs };
  } finally {
    await lm.dispose();
  }
}
