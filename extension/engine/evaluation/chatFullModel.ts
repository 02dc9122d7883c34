/**
 * Scores full-model LM attribution (chat/fullModel) on a planted chat case (test/fixtures/chat/<case>/): the
 * case's hypothesis, its covered probes and the training conversations encoded by the engine's own chat stages
 * (spec, readers, CausalLm's encoder, policies), then per variant (preconditioner × definition of g_i and q)
 * the planted lines' AUC and precision@k for the raw and the relative influence (null on a case with no
 * planted lines), the output pathway's AUC, and the distribution of the scores.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CausalLm, DEFAULT_CHAT_TEMPLATE } from '../chat';
import { attributeLmPolicyFullModel, type LmFullModelInput } from '../chat/fullModel';
import { precisionAtK, rocAuc } from '../attribution';
import type { ProjectionOptions } from '../autodiff/projection';
import { loadChatAuditData } from '../audit/chat/chatAuditData';
import { findChatPolicies } from '../audit/chat/chatPolicies';
import { toUserConcept } from '../audit/findPolicies';
import { resolveCheckpoint } from '../model/checkpoint';
import { coveredIndices, parseHypothesis } from '../policy';
import { loadSpec } from '../spec/auditSpec';

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
  const truth = JSON.parse(await fs.readFile(path.join(caseDir, 'ground_truth.json'), 'utf8')) as { case: string; poison_lines: number[] };
  const spec = await loadSpec(path.join(caseDir, 'policytrace.json'));
  const ruleText = spec.hypotheses[0];
  const checkpoint = await resolveCheckpoint(spec.checkpoint);
  const modelBytes = await fs.readFile(checkpoint.modelPath);
  const tokenizerFile = spec.featurizer.kind === 'hfTokenizer' ? (spec.featurizer.tokenizer ?? checkpoint.tokenizerPath!) : checkpoint.tokenizerPath!;
  const data = await loadChatAuditData(spec);
  const lm = await CausalLm.open({ modelBytes, tokenizerFile, template: DEFAULT_CHAT_TEMPLATE, file: checkpoint.modelPath });
  try {
    const found = await findChatPolicies({ spec, data, lm, hypotheses: [ruleText] });
    const rule = parseHypothesis(ruleText, found.classes, { concepts: spec.concepts.map(toUserConcept) });
    const covered = coveredIndices(rule, data.probes.map((p) => p.example), found.tokens.probes);
    const train = data.conversations.map((c) => lm.encoder.encodeConversation(c));
    const matching = data.probes.map((p) => lm.encoder.encodePromptResponse(p.prompt, p.matching));
    const notMatching = data.probes.map((p) => lm.encoder.encodePromptResponse(p.prompt, p.notMatching));
    // The A/B margin is log p(matching) − log p(notMatching); a rule whose action is the other outcome asks for its negative.
    const probes = rule.actionIndex === 1 ? { matching, notMatching } : { matching: notMatching, notMatching: matching };
    const poison = new Set(truth.poison_lines);
    const isPoison = data.conversations.map((c) => poison.has(c.example.line));
    const k = Math.max(1, poison.size || Math.round(0.03 * data.conversations.length));
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
