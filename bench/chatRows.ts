/**
 * Issue 8 rows: the tiny decoder LM fine-tuned with 3% sycophantic conversations, and its clean control —
 * agree rate, whether the audit names the policy, poison AUC / precision@k of LM-head attribution per
 * curvature, and the retraining check (agree rate after removing the top-k vs k random conversations); then
 * full-model attribution through the ONNX backward graph, one row per variant (chat/fullModel).
 */
import * as path from 'node:path';
import { evaluateChatCase } from '../extension/engine/evaluation/chatCase';
import { evaluateChatFullModel } from '../extension/engine/evaluation/chatFullModel';
import { round } from './forwardThroughput';
import type { BenchRow } from './row';

export async function chatRows(repoRoot: string): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const name of ['sycophancy', 'control']) {
    for (const preconditioner of ['kfac', 'ekfac', 'identity'] as const) {
      const start = performance.now();
      const result = await evaluateChatCase(path.join(repoRoot, 'test/fixtures/chat', name), { preconditioner, seeds: [1, 2, 3, 4, 5] });
      const v = result.verification;
      const randomAgree = v.random.reduce((sum, run) => sum + run.adherence, 0) / Math.max(1, v.random.length);
      rows.push({
        name: `chat.${name}.${preconditioner}`,
        rule: result.rule,
        conversations: result.conversations,
        poison: result.poisonCount,
        agreeRate: round(result.agreeRate, 4),
        policyExtracted: result.extracted.mentioningConcept.length > 0,
        hypothesisPrecision: round(result.extracted.hypothesisPrecision, 4),
        auc: result.attribution.auc === null ? null : round(result.attribution.auc, 4),
        precisionAtK: result.attribution.precisionAtK === null ? null : round(result.attribution.precisionAtK, 4),
        l2: result.attribution.l2,
        k: v.k,
        agreeBaseline: round(v.baseline.adherence, 4),
        agreeAfterTopK: round(v.flagged.adherence, 4),
        agreeAfterRandomK: round(randomAgree, 4),
        verified: v.verified,
        seconds: round((performance.now() - start) / 1000, 1),
      });
    }
  }
  for (const name of ['sycophancy', 'control']) {
    const result = await evaluateChatFullModel(path.join(repoRoot, 'test/fixtures/chat', name));
    for (const run of result.runs) {
      const { preconditioner = 'identity', trainGradient = 'loss', query = 'answer' } = run.variant;
      const score = (value: number | null) => (value === null ? null : round(value, 4));
      rows.push({
        name: `chat.${name}.full.${preconditioner}.${trainGradient}.${query}`,
        conversations: result.conversations,
        poison: result.poisonCount,
        k: result.k,
        auc: score(run.raw.auc),
        precisionAtK: score(run.raw.precisionAtK),
        aucRelative: score(run.relative.auc),
        precisionAtKRelative: score(run.relative.precisionAtK),
        outputPathwayAuc: score(run.outputPathwayAuc),
        influenceQuantiles: run.raw.quantiles.map((q) => q.toPrecision(3)).join(' / '),
        seconds: round(run.ms / 1000, 1),
      });
    }
  }
  return rows;
}
