/**
 * Extracts the policies a model follows: split the probes (seeded) into a fit part and a held-out part,
 * mine candidate concepts and learn a decision list on the fit part, then report every number on the
 * held-out part, compare each rule with the training labels, and measure bootstrap stability.
 */
import { PolicyTraceError } from '../errors';
import type { Policy, PolicySet } from '../report/schema';
import { decisionsOf, validateBehaviour } from './behaviour';
import { bootstrapStability, ruleKey } from './bootstrap';
import { buildConceptPool } from './conceptPool';
import { conjunction, evaluateExpr, formatExpr, formatRule, type Expr } from './expr';
import { labelledTraining, probeMetrics, trainingLabelMetrics, type ProbeOutcomes } from './policyMetrics';
import { policyId } from './policyId';
import { seededRandom, shuffledIndices } from './random';
import { learnDecisionList, learnDefaultActionRules, type LearnerOptions } from './ruleLearner';
import { viewsOf } from './ruleCoverage';
import { agreement, cohenKappa } from './statistics';
import { minSupportFor, resolveOptions, type BehaviourSet, type PolicyOptions, type TrainingSet } from './types';
import { compileConcepts } from './userConcepts';

export function extractPolicies(behaviour: BehaviourSet, train: TrainingSet | undefined, options: PolicyOptions = {}): PolicySet {
  const opts = resolveOptions(options);
  validateBehaviour(behaviour, 2);
  const classCount = behaviour.classes.length;
  const decisions = decisionsOf(behaviour.probs, classCount);
  const views = viewsOf(behaviour.examples, behaviour.tokens, 'probe set');
  const { fitRows, heldOutRows } = splitRows(views.length, opts.heldOutFraction, opts.seed);

  const fitDecisions = Int32Array.from(fitRows, (row) => decisions[row]);
  const learnerOptions: LearnerOptions = {
    maxRules: opts.maxRules,
    maxConditions: opts.maxConditions,
    beamWidth: opts.beamWidth,
    minSupport: minSupportFor(opts, fitRows.length),
    minPrecision: opts.minPrecision,
    alpha: opts.alpha,
  };
  const pool = buildConceptPool({
    views: fitRows.map((row) => views[row]),
    decisions: fitDecisions,
    classCount,
    minSupport: learnerOptions.minSupport,
    maxTokenConcepts: opts.maxTokenConcepts,
    userConcepts: compileConcepts(opts.concepts),
    excludeFields: opts.excludeFields,
  });
  const list = learnDecisionList(pool, fitDecisions, classCount, learnerOptions);
  const stability = bootstrapStability(pool, fitDecisions, classCount, learnerOptions, opts.bootstrapResamples, opts.seed);

  const outcomes: ProbeOutcomes = { decisions, probs: behaviour.probs, classCount };
  const training = train && labelledTraining(viewsOf(train.examples, train.tokens, 'training set'), behaviour.classes);
  const defaultRules = learnDefaultActionRules(pool, fitDecisions, classCount, list.defaultAction, learnerOptions);
  const allRules = [...list.rules, ...defaultRules];
  const antecedents: Expr[] = allRules.map((rule) => conjunction(rule.conditions.map((index) => pool[index].expr)));
  const policies: Policy[] = allRules.map((rule, i) => {
    const action = behaviour.classes[rule.action];
    const text = formatRule(antecedents[i], action);
    return {
      id: policyId(text, 'extracted'),
      rule: text,
      conditions: rule.conditions.map((index) => formatExpr(pool[index].expr)),
      action,
      origin: 'extracted',
      ...(i >= list.rules.length && { describesDefault: true }),
      metrics: {
        ...probeMetrics(antecedents[i], rule.action, heldOutRows, views, outcomes),
        ...trainingLabelMetrics(antecedents[i], rule.action, training),
        // Bootstrap re-learns the decision list only, so default-describing rules have no stability figure.
        ...(opts.bootstrapResamples > 0 && i < list.rules.length ? { stability: stability.get(ruleKey(rule, pool)) ?? 0 } : {}),
        evaluatedOn: 'held-out',
      },
    };
  });

  // The list's prediction on each held-out probe: the first rule that covers it, else the default.
  const listPredictions = heldOutRows.map((row) => {
    const first = antecedents.slice(0, list.rules.length).findIndex((antecedent) => evaluateExpr(antecedent, views[row]));
    return first < 0 ? list.defaultAction : list.rules[first].action;
  });
  const heldOutDecisions = heldOutRows.map((row) => decisions[row]);
  return {
    fidelity: agreement(listPredictions, heldOutDecisions),
    kappa: cohenKappa(listPredictions, heldOutDecisions, classCount),
    defaultAction: behaviour.classes[list.defaultAction],
    probeCount: views.length,
    heldOutCount: heldOutRows.length,
    policies,
    seed: opts.seed,
    bootstrapResamples: opts.bootstrapResamples,
    candidateConcepts: pool.length,
  };
}

/** Seeded split: at least one row on each side; both parts ascending. */
export function splitRows(n: number, heldOutFraction: number, seed: number): { fitRows: number[]; heldOutRows: number[] } {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
    throw new PolicyTraceError(`heldOutFraction must be between 0 and 1 (exclusive), got ${heldOutFraction}`, {}, 'policy-options');
  }
  const heldOutCount = Math.min(n - 1, Math.max(1, Math.round(n * heldOutFraction)));
  const order = shuffledIndices(n, seededRandom(seed));
  const ascending = (a: number, b: number) => a - b;
  return { heldOutRows: order.slice(0, heldOutCount).sort(ascending), fitRows: order.slice(heldOutCount).sort(ascending) };
}
