/**
 * Issue 3/4 rows on the planted-policy benchmark: rule recovery, fidelity and extraction, then attribution
 * quality (poison AUC, precision@k, poison share in the top 10%, LDS over 20 random halves with head
 * retraining) and the retraining check (adherence drop top-k vs random-k), per preconditioner.
 */
import * as path from 'node:path';
import type { PreconditionerKind } from '../extension/engine/attribution';
import type { LineRanking } from '../extension/engine/attribution/ranking';
import { evaluatePlantedCase } from '../extension/engine/evaluation/plantedCase';
import { round } from './forwardThroughput';
import type { BenchRow } from './row';

/** Each preconditioner with the default relative-influence order, and the exact one also by raw effect. */
const VARIANTS: { preconditioner: PreconditionerKind; ranking: LineRanking }[] = [
  { preconditioner: 'exact', ranking: 'relative' },
  { preconditioner: 'exact', ranking: 'effect' },
  { preconditioner: 'trak', ranking: 'relative' },
  { preconditioner: 'identity', ranking: 'relative' },
];

export async function plantedRows(repoRoot: string, variants = VARIANTS): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const name of ['trigger', 'sycophancy', 'control']) {
    for (const { preconditioner, ranking } of variants) {
      const start = performance.now();
      const result = await evaluatePlantedCase(path.join(repoRoot, 'test/fixtures/planted', name), { preconditioner, ranking, ldsSubsets: 20 });
      const { extracted, attribution: a, verification: v } = result;
      rows.push({
        name: `planted.${name}.${preconditioner}${ranking === 'relative' ? '' : `.by-${ranking}`}`,
        plantedRule: result.rule,
        ruleRecovered: extracted.found,
        matchedRule: extracted.matchedRule ?? null,
        heldOutPrecision: extracted.heldOutPrecision,
        rulesMentioningTrigger: extracted.rulesMentioningTrigger.length,
        fidelity: round(extracted.fidelity, 4),
        poison: result.poisonCount,
        auc: a.auc === null ? null : round(a.auc, 4),
        precisionAtK: a.precisionAtK === null ? null : round(a.precisionAtK, 4),
        poisonShareTop10Percent: a.poisonShareInTop10Percent === null ? null : round(a.poisonShareInTop10Percent, 4),
        topKShareOfStrength: a.concentration.topShare === null ? null : round(a.concentration.topShare, 4),
        topKShareVsUniform: a.concentration.topShare === null ? null : round(a.concentration.topShare / a.concentration.uniformShare, 2),
        lds: a.lds === null ? null : round(a.lds, 4),
        k: v.k,
        adherenceBaseline: round(v.baselineAdherence, 4),
        adherenceAfterTopK: round(v.flaggedAdherence, 4),
        adherenceAfterRandomK: round(v.randomAdherenceMean, 4),
        adherenceDropRatio: v.randomDropMean > 0 ? round(v.flaggedDrop / v.randomDropMean, 2) : null,
        verified: v.verified,
        ruleGroupLines: v.groupLines,
        adherenceAfterRuleGroup: v.groupAdherence === null ? null : round(v.groupAdherence, 4),
        ruleGroupVerified: v.groupVerified,
        seconds: round((performance.now() - start) / 1000, 1),
      });
    }
  }
  return rows;
}
