/**
 * Per-rule numbers as the report shows them. Precision and coverage follow Anchors: precision = share of
 * covered probes where the model takes the rule's action; coverage = share of probes the antecedent covers.
 * The training-label comparison asks whether the model follows the rule more than its data does.
 */
import type { PolicyMetrics } from '../report/schema';
import { labelIndex } from './behaviour';
import type { Expr } from './expr';
import { evaluateExpr } from './expr';
import { actionMargin } from './statistics';
import type { ExampleView } from './textFeatures';

export interface ProbeOutcomes {
  decisions: Int32Array;
  probs: Float32Array;
  classCount: number;
}

/**
 * Metrics of an antecedent over the given probe rows. With no covered row, precision, adherence and mean
 * margin are 0 and support says 0.
 */
export function probeMetrics(
  antecedent: Expr,
  action: number,
  rows: readonly number[],
  views: readonly ExampleView[],
  outcomes: ProbeOutcomes,
): Pick<PolicyMetrics, 'precision' | 'coverage' | 'support' | 'meanMargin' | 'adherence' | 'baseRate'> {
  let support = 0;
  let agree = 0;
  let marginSum = 0;
  let actionRows = 0;
  for (const row of rows) {
    const takesAction = outcomes.decisions[row] === action;
    if (takesAction) actionRows++;
    if (!evaluateExpr(antecedent, views[row])) continue;
    support++;
    if (takesAction) agree++;
    marginSum += actionMargin(outcomes.probs[row * outcomes.classCount + action]);
  }
  const precision = support === 0 ? 0 : agree / support;
  return {
    precision,
    coverage: rows.length === 0 ? 0 : support / rows.length,
    support,
    meanMargin: support === 0 ? 0 : marginSum / support,
    adherence: precision,
    baseRate: rows.length === 0 ? 0 : actionRows / rows.length,
  };
}

/** Labelled training lines, read once per extraction. */
export interface LabelledTraining {
  views: ExampleView[];
  labels: (number | undefined)[];
}

export function labelledTraining(views: ExampleView[], classes: readonly string[]): LabelledTraining {
  return { views, labels: views.map((view) => labelIndex(view.example.label, classes)) };
}

/** Share of covered, labelled training lines whose gold label is the action. */
export function trainingLabelMetrics(
  antecedent: Expr,
  action: number,
  training: LabelledTraining | undefined,
): Pick<PolicyMetrics, 'trainLabelPrecision' | 'trainSupport'> {
  if (!training) return {};
  let support = 0;
  let agree = 0;
  training.views.forEach((view, i) => {
    const label = training.labels[i];
    if (label === undefined || !evaluateExpr(antecedent, view)) return;
    support++;
    if (label === action) agree++;
  });
  return support === 0 ? { trainSupport: 0 } : { trainLabelPrecision: agree / support, trainSupport: support };
}
