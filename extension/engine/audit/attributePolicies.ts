/**
 * The attribution stage: for each policy, score every training line through the model's head, sum the
 * scores by file, source group and the rule's own concept group, and — unless switched off — verify the
 * claim by retraining the head without the flagged lines next to random removals.
 */
import type { GroupKey, HeadWeights, PreconditionerKind, TrainingSet } from '../attribution';
import { attributionFromScores, chooseRetrainL2, scoreTrainingLines, verifyPolicy } from '../attribution';
import { clusterLines } from '../attribution/clusters';
import type { Featurizer } from '../featurize/featurizer';
import type { HeadInfo } from '../model/linearHead';
import { PolicyTraceError } from '../errors';
import { coveredIndices, parseHypothesis, ruleCovers } from '../policy';
import type { Policy, PolicyAttribution } from '../report/schema';
import type { ResolvedSpec } from '../spec/auditSpec';
import type { AuditData } from './auditData';
import { labelIds } from './classes';
import type { ForwardResult } from './forwardPass';
import { AuditFullModel } from './fullModelSections';

const PRECONDITIONERS: Record<ResolvedSpec['options']['preconditioner'], PreconditionerKind> = {
  identity: 'identity',
  trak: 'trak',
  'gauss-newton': 'exact',
};

export interface AttributePoliciesInput {
  spec: ResolvedSpec;
  data: AuditData;
  forward: ForwardResult;
  classes: string[];
  head: HeadInfo;
  policies: Policy[];
  tokens: { probes: string[][]; train: string[][] };
  verify: boolean;
  /** Receives what the user should know (e.g. a fall-back to head-only attribution). */
  warn?: (message: string) => void;
  featurizer: Featurizer;
  modelBytes: Uint8Array;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
  /** Folder of the on-disk gradient cache (full-model gradients are kept there when set). */
  cacheDir?: string;
  /** Receives the gradient cache's hits and misses once the full-model gradients are read. */
  onGradientCache?: (stats: { folder: string; hits: number; misses: number; warnings: string[] }) => void;
}

export async function attributePolicies(input: AttributePoliciesInput): Promise<PolicyAttribution[]> {
  const { spec, data, forward, classes, head, tokens } = input;
  const headWeights: HeadWeights = { W: head.weight, b: head.bias, kind: head.outputDim === 1 ? 'sigmoid' : 'softmax' };
  const labels = labelIds(data.train, classes);
  // One L2 for the whole audit: attribution's Hessian and every retrain must describe the same objective.
  const l2Choice = chooseRetrainL2(headWeights, { features: forward.trainFeatures!, labels, dim: forward.featureDim }, forward.probeFeatures!);
  // Clusters of lines the model treats alike: one more way to sum attribution into units a person can read.
  const clusters = clusterLines(forward.trainFeatures!, forward.featureDim, tokens.train, data.train.map((example) => example.label), { seed: spec.options.seed });
  const sourceGroups: GroupKey[][] = data.train.map((example, i) => [
    ...(example.group !== undefined ? [{ kind: 'group' as const, name: example.group }] : []),
    { kind: 'cluster' as const, name: clusters.names[clusters.assignment[i]] },
  ]);
  const results: PolicyAttribution[] = [];
  // One training side (per-example gradients, curvature) for every policy's full-model section.
  let fullModel = spec.options.gradients === 'full' ? new AuditFullModel(input, labels) : undefined;
  try {
    for (const [index, policy] of input.policies.entries()) {
      input.signal?.throwIfAborted();
      input.onProgress?.(`policy ${index + 1} of ${input.policies.length}: ${policy.rule}`);
      // Yield to the event loop between policies so cancellation and progress messages get through.
      await new Promise((resolve) => setImmediate(resolve));
      const rule = parseHypothesis(policy.rule, classes, { concepts: spec.concepts.map((c) => ({ name: c.name, ...(c.regex ? { regex: c.regex } : { keywords: c.keywords ?? [] }) })) });
      const covered = coveredIndices(rule, data.probes, tokens.probes);
      if (covered.length === 0) continue;
      // The rule names a group of its own: training lines whose input satisfies the antecedent and whose
      // label is the rule's action. Scoring it jointly is how a policy is traced to the lines that taught it.
      const conceptGroup = `${policy.conditions.join(' and ') || policy.rule} ∧ label = ${policy.action}`;
      const ruleGroup: number[] = [];
      const groups = sourceGroups.map((keys, i) => {
        if (labels[i] !== rule.actionIndex || !ruleCovers(rule, data.train[i], tokens.train[i])) return keys;
        ruleGroup.push(i);
        return [...keys, { kind: 'concept' as const, name: conceptGroup }];
      });
      const train: TrainingSet = { features: forward.trainFeatures!, dim: forward.featureDim, labels, examples: data.train, groups };
      const attributionInput = {
        head: headWeights,
        train,
        probes: { features: forward.probeFeatures! },
        policy: { policyId: policy.id, coveredProbes: covered, actionClass: rule.actionIndex },
      };
      const options = {
        preconditioner: PRECONDITIONERS[spec.options.preconditioner],
        topLines: spec.options.topK,
        ...(spec.options.damping !== undefined && { damping: spec.options.damping }),
        seed: spec.options.seed,
        l2: l2Choice.l2,
        ...(spec.options.projectionSize !== undefined && { projectionDim: spec.options.projectionSize }),
      };
      const scores = scoreTrainingLines(attributionInput, options);
      const attribution = attributionFromScores(train, scores, options);
      if (input.verify) {
        input.onProgress?.(`verifying policy ${index + 1} by retraining the head`);
        await new Promise((resolve) => setImmediate(resolve));
        const seeds = Array.from({ length: spec.options.randomSeeds }, (_, i) => spec.options.seed + i + 1);
        attribution.verification = verifyPolicy(attributionInput, scores, { seeds, l2: l2Choice.l2 });
        // A group that is most of the labelled data is not a finding to verify: removing it retrains another task.
        if (ruleGroup.length > 0 && ruleGroup.length <= 0.5 * labels.length) {
          input.onProgress?.(`verifying the rule's own group (${ruleGroup.length} lines) for policy ${index + 1}`);
          await new Promise((resolve) => setImmediate(resolve));
          attribution.groupVerification = { ...verifyPolicy(attributionInput, scores, { seeds, l2: l2Choice.l2, flagged: ruleGroup }), group: conceptGroup };
        }
      }
      if (fullModel) {
        input.onProgress?.(`full-model gradients for policy ${index + 1}`);
        try {
          attribution.fullModel = await fullModel.section({ covered, actionClass: rule.actionIndex, conditions: policy.conditions }, attribution);
        } catch (error) {
          // An op without a gradient rule names itself; the audit goes on with head-only attribution.
          if (!(error instanceof PolicyTraceError) || error.code !== 'unsupported-op') throw error;
          await fullModel.dispose();
          fullModel = undefined;
          input.warn?.(`Full-model gradients unavailable (${error.message}); attribution is head-only.`);
        }
      }
      results.push(attribution);
    }
  } finally {
    await fullModel?.dispose();
  }
  return results;
}
