/**
 * The first-order prediction of removing one line (Δstrength = −influence / n) against the actual change
 * after exact leave-one-out retraining, on a small problem, plus the linear datamodeling score.
 */
import * as assert from 'node:assert/strict';
import {
  LinearHead,
  linearDatamodelingScore,
  measurePolicy,
  pearson,
  scoreTrainingLines,
  type PreconditionerKind,
} from '../../../extension/engine/attribution';
import { fitHeadTheta } from '../../../extension/engine/attribution/retrain';
import { makePlantedProblem, type PlantedOptions } from './plantedProblem';

function leaveOneOut(options: PlantedOptions, preconditioner: PreconditionerKind = 'exact') {
  const problem = makePlantedProblem({ lines: 150, dim: 6, poison: 6, probes: 60, l2: 0.03, cleanTriggerNoise: 0.05, ...options });
  const { train, probes, policy } = problem.input;
  const scores = scoreTrainingLines(problem.input, { l2: problem.l2, preconditioner });
  const head = LinearHead.fromWeights(problem.input.head, train.dim);
  const set = { features: train.features, labels: train.labels };
  const baseline = measurePolicy(head, fitHeadTheta(head, set, { l2: problem.l2 }).theta, probes.features, policy).strength;
  const predicted: number[] = [];
  const actual: number[] = [];
  for (let i = 0; i < train.labels.length; i++) {
    const weights = new Float64Array(train.labels.length).fill(1);
    weights[i] = 0;
    const fit = fitHeadTheta(head, { ...set, weights }, { l2: problem.l2 });
    predicted.push(scores.deltaStrength[i]);
    actual.push(measurePolicy(head, fit.theta, probes.features, policy).strength - baseline);
  }
  return { problem, scores, correlation: pearson(predicted, actual), predicted, actual };
}

describe('first-order removal prediction vs exact leave-one-out retraining', () => {
  for (const options of [{ kind: 'softmax' as const }, { kind: 'softmax' as const, classes: 3 }, { kind: 'sigmoid' as const }]) {
    it(`correlates > 0.9 (${options.kind}, ${options.classes ?? 2} classes)`, function () {
      this.timeout(60000);
      const { correlation, predicted, actual } = leaveOneOut(options);
      console.log(`      Pearson(predicted, actual) = ${correlation.toFixed(4)}`);
      assert.ok(correlation > 0.9, `correlation ${correlation}`);
      // Same units, not only the same order: the sum of predicted changes is close to the sum of actual ones.
      const sum = (v: number[]): number => v.reduce((s, x) => s + x, 0);
      assert.ok(Math.abs(sum(predicted) - sum(actual)) < 0.1 * sum(actual.map(Math.abs)), `${sum(predicted)} vs ${sum(actual)}`);
    });
  }

  it('the approximate preconditioners are measured too (printed; TRAK must stay positively correlated)', function () {
    this.timeout(60000);
    const trak = leaveOneOut({}, 'trak').correlation;
    const identity = leaveOneOut({}, 'identity').correlation;
    console.log(`      Pearson: trak ${trak.toFixed(3)}, identity ${identity.toFixed(3)}`);
    assert.ok(trak > 0.3);
  });

  it('linear datamodeling score over 20 random halves is high for the exact preconditioner', function () {
    this.timeout(60000);
    const problem = makePlantedProblem({ lines: 150, dim: 6, poison: 6, probes: 60, l2: 0.03, cleanTriggerNoise: 0.05 });
    const scores = scoreTrainingLines(problem.input, { l2: problem.l2 });
    const lds = linearDatamodelingScore(problem.input, scores.influence, { l2: problem.l2, subsets: 20, seed: 7 });
    console.log(`      LDS = ${lds.spearman.toFixed(3)} over ${lds.subsets} subsets`);
    assert.equal(lds.subsets, 20);
    assert.ok(lds.spearman > 0.8, `LDS ${lds.spearman}`);
    // A random attribution has no such agreement.
    const shuffled = Float64Array.from(scores.influence).reverse();
    const noise = linearDatamodelingScore(problem.input, shuffled, { l2: problem.l2, subsets: 20, seed: 7 });
    assert.ok(noise.spearman < lds.spearman - 0.3, `shuffled LDS ${noise.spearman}`);
  });
});
