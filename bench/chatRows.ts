/**
 * Issue 8 rows: the tiny decoder LM fine-tuned with 3% sycophantic conversations, and its clean control —
 * agree rate, whether the audit names the policy, poison AUC / precision@k of LM-head attribution per
 * curvature, and the retraining check (agree rate after removing the top-k vs k random conversations).
 */
import * as path from 'node:path';
import { evaluateChatCase } from '../extension/engine/evaluation/chatCase';
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
  return rows;
}
