/**
 * Audits a policy the user suspects ("contains("kindly") -> escalate"): the same metrics as an extracted
 * policy, plus a counterfactual check when the model can be run on edited probes. Nothing is fitted, so
 * the metrics use all probes (marked `evaluatedOn: 'all-probes'`); stability is not defined for a rule
 * that was not learned.
 */
import type { Policy } from '../report/schema';
import { decisionsOf, validateBehaviour } from './behaviour';
import { counterfactualCheck } from './counterfactual';
import { conjuncts, formatExpr } from './expr';
import type { ParsedRule } from './hypothesisParser';
import { labelledTraining, probeMetrics, trainingLabelMetrics } from './policyMetrics';
import { policyId } from './policyId';
import { viewsOf } from './ruleCoverage';
import { resolveOptions, type BehaviourSet, type PolicyOptions, type PredictFn, type TrainingSet } from './types';
import { PolicyTraceError } from '../errors';

export async function auditHypothesis(
  rule: ParsedRule,
  behaviour: BehaviourSet,
  train: TrainingSet | undefined,
  predict?: PredictFn,
  options: PolicyOptions = {},
): Promise<Policy> {
  const opts = resolveOptions(options);
  validateBehaviour(behaviour, 1);
  if (behaviour.classes[rule.actionIndex] !== rule.action) {
    throw new PolicyTraceError(
      `hypothesis "${rule.text}" was parsed for other classes: action '${rule.action}' is not class ${rule.actionIndex} of ${behaviour.classes.join(', ')}`,
      {},
      'hypothesis-classes',
    );
  }
  const classCount = behaviour.classes.length;
  const decisions = decisionsOf(behaviour.probs, classCount);
  const views = viewsOf(behaviour.examples, behaviour.tokens, 'probe set');
  const allRows = views.map((_, i) => i);
  const training = train && labelledTraining(viewsOf(train.examples, train.tokens, 'training set'), behaviour.classes);
  const counterfactual = await counterfactualCheck({
    rule,
    views,
    decisions,
    classes: behaviour.classes,
    predict,
    seed: opts.seed,
    maxEditsPerDirection: opts.maxCounterfactualEdits,
  });
  return {
    id: policyId(rule.text, 'hypothesis'),
    rule: rule.text,
    conditions: conjuncts(rule.antecedent).map(formatExpr),
    action: rule.action,
    origin: 'hypothesis',
    metrics: {
      ...probeMetrics(rule.antecedent, rule.actionIndex, allRows, views, { decisions, probs: behaviour.probs, classCount }),
      ...trainingLabelMetrics(rule.antecedent, rule.actionIndex, training),
      evaluatedOn: 'all-probes',
    },
    counterfactual,
  };
}
