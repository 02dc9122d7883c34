/**
 * Scores PolicyTrace against a planted-policy case whose answer is known (test/fixtures/planted/<case>/):
 * was the planted rule extracted, does attribution rank the poison lines first, and does removing the
 * flagged lines and retraining take the policy away (next to random removals)? The benchmark prints these
 * numbers and the tests hold them to the targets; both go through the same audit context a user's
 * audit uses.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  chooseRetrainL2,
  linearDatamodelingScore,
  precisionAtK,
  rocAuc,
  scoreTrainingLines,
  shareInTopFraction,
  verifyPolicy,
  type AttributionInput,
  type PreconditionerKind,
} from '../attribution';
import { loadAuditContext, type AuditContext } from '../audit/auditContext';
import { labelIds } from '../audit/classes';
import { coveredIndices, extractPolicies, parseHypothesis, ruleCovers, type ParsedRule } from '../policy';
import type { Example } from '../data/example';
import type { PolicyAttribution, PolicySet } from '../report/schema';
import { concentration } from '../attribution/attribute';
import { reportOrder, supporters, type LineRanking } from '../attribution/ranking';

export interface PlantedTruth {
  case: string;
  /** The planted rule; null for the clean control. */
  rule: string | null;
  action: string;
  trigger: string;
  poison_lines: number[];
}

export interface PlantedEvaluation {
  case: string;
  rule: string;
  poisonCount: number;
  trainLines: number;
  extracted: { found: boolean; matchedRule?: string; heldOutPrecision: number | null; rulesMentioningTrigger: string[]; fidelity: number; rules: string[] };
  attribution: {
    preconditioner: PreconditionerKind;
    auc: number | null;
    precisionAtK: number | null;
    poisonShareInTop10Percent: number | null;
    ranking: LineRanking;
    /** Predicted share of the policy's strength the top-k lines carry (null when the model does not follow it). */
    concentration: PolicyAttribution['concentration'];
    /** Spearman over random 50% subsets with head retraining; null when ldsSubsets is 0. */
    lds: number | null;
  };
  verification: {
    k: number;
    baselineAdherence: number;
    flaggedAdherence: number;
    randomAdherenceMean: number;
    flaggedDrop: number;
    randomDropMean: number;
    verified: boolean;
    groupLines: number;
    groupAdherence: number | null;
    groupVerified: boolean | null;
  };
}

/** A planted case opened as a user's audit opens it: the truth, the context (dispose it), the planted rule as a head query. */
export interface PlantedCase {
  truth: PlantedTruth;
  ruleText: string;
  context: AuditContext;
  rule: ParsedRule;
  probeTokens: string[][];
  labels: Int32Array;
  input: AttributionInput;
  /** The retraining L2 chosen against the original head, as an audit chooses it. */
  l2: number;
}

export async function loadPlantedCase(caseDir: string): Promise<PlantedCase> {
  const truth = JSON.parse(await fs.readFile(path.join(caseDir, 'ground_truth.json'), 'utf8')) as PlantedTruth;
  const ruleText = truth.rule ?? `contains(${JSON.stringify(truth.trigger)}) -> ${truth.action}`;
  const context = await loadAuditContext({ specPath: path.join(caseDir, 'policytrace.json') });
  const { data, forward, classes, prepared, featurizer } = context;
  if (!prepared.head || !forward.trainFeatures || !forward.probeFeatures) {
    await forward.dispose();
    throw new Error(`${caseDir}: the planted model has no linear head`);
  }
  const rule = parseHypothesis(ruleText, classes);
  const probeTokens = data.probes.map((e) => featurizer.tokens(e.text));
  const labels = labelIds(data.train, classes);
  const head = { W: prepared.head.weight, b: prepared.head.bias, kind: prepared.head.outputDim === 1 ? ('sigmoid' as const) : ('softmax' as const) };
  const train = { features: forward.trainFeatures, dim: forward.featureDim, labels, examples: data.train };
  const input: AttributionInput = {
    head,
    train,
    probes: { features: forward.probeFeatures },
    policy: { policyId: 'planted', coveredProbes: coveredIndices(rule, data.probes, probeTokens), actionClass: rule.actionIndex },
  };
  const l2 = chooseRetrainL2(head, train, forward.probeFeatures).l2;
  return { truth, ruleText, context, rule, probeTokens, labels, input, l2 };
}

export async function evaluatePlantedCase(
  caseDir: string,
  options: { preconditioner?: PreconditionerKind; ranking?: LineRanking; ldsSubsets?: number } = {},
): Promise<PlantedEvaluation> {
  const { truth, ruleText, context, rule, probeTokens, labels, input, l2 } = await loadPlantedCase(caseDir);
  try {
    const { data, forward, classes, featurizer, spec } = context;
    const trainTokens = data.train.map((e) => featurizer.tokens(e.text));
    const policySet = extractPolicies(
      { examples: data.probes, probs: forward.probeProbs, classes, tokens: probeTokens },
      { examples: data.train, tokens: trainTokens },
      { seed: spec.options.seed, bootstrapResamples: 0, excludeFields: [spec.fields.label, spec.fields.id].filter((f): f is string => !!f) },
    );
    const preconditioner = options.preconditioner ?? 'exact';
    const scores = scoreTrainingLines(input, { l2, preconditioner, ...(options.ranking && { ranking: options.ranking }) });
    // Support for the policy as the report orders lines (proponents first, by relative influence by default).
    const support = new Array<number>(data.train.length).fill(-Infinity);
    reportOrder(scores).forEach((line, rank) => (support[line] = -rank));
    const poison = new Set(truth.poison_lines);
    const isPoison = data.train.map((example) => poison.has(example.line));
    const k = Math.max(1, poison.size || Math.round(0.02 * data.train.length));
    const hasPoison = poison.size > 0;
    const verification = verifyPolicy(input, scores, { k, l2 });
    const group = data.train.flatMap((example, i) => (labels[i] === rule.actionIndex && ruleCovers(rule, example, trainTokens[i]) ? [i] : []));
    const groupVerification = group.length > 0 ? verifyPolicy(input, scores, { l2, flagged: group }) : undefined;
    const randomAdherenceMean = mean(verification.random.map((r) => r.adherence));
    return {
      case: truth.case,
      rule: ruleText,
      poisonCount: poison.size,
      trainLines: data.train.length,
      extracted: extractionSummary(policySet, rule, truth.trigger, data.probes, probeTokens, classes),
      attribution: {
        preconditioner,
        ranking: scores.ranking,
        auc: hasPoison ? rocAuc(support, isPoison) : null,
        precisionAtK: hasPoison ? precisionAtK(support, isPoison, k) : null,
        poisonShareInTop10Percent: hasPoison ? shareInTopFraction(support, isPoison, 0.1) : null,
        concentration: concentration(scores, supporters(scores), k),
        lds: (options.ldsSubsets ?? 20) > 0 ? linearDatamodelingScore(input, scores.influence, { l2, subsets: options.ldsSubsets ?? 20, seed: 7 }).spearman : null,
      },
      verification: {
        k: verification.k,
        baselineAdherence: verification.baseline.adherence,
        flaggedAdherence: verification.flagged.adherence,
        randomAdherenceMean,
        flaggedDrop: verification.baseline.adherence - verification.flagged.adherence,
        randomDropMean: verification.baseline.adherence - randomAdherenceMean,
        verified: verification.verified,
        groupLines: group.length,
        groupAdherence: groupVerification ? groupVerification.flagged.adherence : null,
        groupVerified: groupVerification ? groupVerification.verified : null,
      },
    };
  } finally {
    await context.forward.dispose();
  }
}

/**
 * The planted rule counts as extracted when a learned rule with the same action covers (almost) the same
 * probes — Jaccard ≥ 0.9 — since rules that agree on every probe are the same policy to the learner.
 */
function extractionSummary(
  policySet: PolicySet,
  planted: ParsedRule,
  trigger: string,
  probes: Example[],
  tokens: string[][],
  classes: string[],
): PlantedEvaluation['extracted'] {
  const plantedRows = new Set(coveredIndices(planted, probes, tokens));
  const match = policySet.policies.find((policy) => {
    if (policy.action !== planted.action) return false;
    const rows = coveredIndices(parseHypothesis(policy.rule, classes), probes, tokens);
    const overlap = rows.filter((row) => plantedRows.has(row)).length;
    return overlap / (rows.length + plantedRows.size - overlap) >= 0.9;
  });
  const needle = JSON.stringify(trigger.toLowerCase()).slice(1, -1);
  return {
    found: match !== undefined,
    ...(match && { matchedRule: match.rule }),
    heldOutPrecision: match ? match.metrics.precision : null,
    rulesMentioningTrigger: policySet.policies.filter((p) => p.rule.toLowerCase().includes(needle)).map((p) => p.rule),
    fidelity: policySet.fidelity,
    rules: policySet.policies.map((p) => p.rule),
  };
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}
