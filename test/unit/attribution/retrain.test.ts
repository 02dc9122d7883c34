import * as assert from 'node:assert/strict';
import { chooseRetrainL2, retrainHead } from '../../../extension/engine/attribution';
import { headObjective } from '../../../extension/engine/attribution/headObjective';
import { LinearHead } from '../../../extension/engine/attribution/linearHead';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { makePlantedProblem } from './plantedProblem';

describe('attribution/retrainHead (exact convex retraining)', () => {
  const problem = makePlantedProblem({ lines: 300, dim: 6, poison: 10, l2: 0.01 });
  const { train } = problem.input;

  it('reaches a stationary point of the L2 objective from any warm start', () => {
    const zeros = { W: new Float32Array(2 * 6), b: new Float32Array(2), kind: 'softmax' as const };
    const fromZero = retrainHead(zeros, train, { l2: 0.01 });
    const fromGiven = retrainHead(problem.input.head, train, { l2: 0.01 });
    assert.ok(fromZero.converged && fromGiven.converged);
    assert.equal(fromZero.method, 'newton');
    for (let j = 0; j < fromZero.theta.length; j++) assert.ok(Math.abs(fromZero.theta[j] - fromGiven.theta[j]) < 1e-6);
    const head = LinearHead.fromWeights(zeros, 6);
    const gradient = headObjective(head, fromZero.theta, train, 0.01).gradient;
    assert.ok(Math.max(...gradient.map(Math.abs)) < 1e-8);
  });

  it('L-BFGS (used past maxNewtonParams) finds the same optimum as Newton', () => {
    const newton = retrainHead(problem.input.head, train, { l2: 0.01 });
    const lbfgs = retrainHead(problem.input.head, train, { l2: 0.01, maxNewtonParams: 1 });
    assert.equal(lbfgs.method, 'lbfgs');
    assert.ok(lbfgs.converged, `L-BFGS stopped at |∇| = ${lbfgs.gradientMaxAbs}`);
    for (let j = 0; j < newton.theta.length; j++) assert.ok(Math.abs(newton.theta[j] - lbfgs.theta[j]) < 1e-5);
  });

  it('a sigmoid head equals a two-class softmax whose L2 is doubled (logits [0, s] vs symmetric rows)', () => {
    const sigmoid = retrainHead({ W: new Float32Array(6), b: new Float32Array(1), kind: 'sigmoid' }, train, { l2: 0.005 });
    const softmax = retrainHead({ W: new Float32Array(12), b: new Float32Array(2), kind: 'softmax' }, train, { l2: 0.01 });
    for (let j = 0; j < 7; j++) assert.ok(Math.abs(sigmoid.theta[j] - (softmax.theta[7 + j] - softmax.theta[j])) < 1e-6);
  });

  it('weights remove lines (weight 0 = line absent)', () => {
    const weights = new Float64Array(train.labels.length).fill(1);
    weights[5] = 0;
    const weighted = retrainHead(problem.input.head, train, { l2: 0.01, weights });
    const keep = Array.from({ length: train.labels.length }, (_, i) => i).filter((i) => i !== 5);
    const dropped = retrainHead(problem.input.head, {
      dim: 6,
      labels: Int32Array.from(keep, (i) => train.labels[i]),
      features: Float32Array.from(keep.flatMap((i) => Array.from(train.features.subarray(i * 6, i * 6 + 6)))),
    }, { l2: 0.01 });
    for (let j = 0; j < weighted.theta.length; j++) assert.ok(Math.abs(weighted.theta[j] - dropped.theta[j]) < 1e-7);
  });

  it('chooses the L2 that reproduces the original head, and reports the agreement', () => {
    const choice = chooseRetrainL2(problem.input.head, train, problem.input.probes.features);
    assert.equal(choice.tried.length, 7);
    assert.ok(choice.probeAgreement >= 0.99, JSON.stringify(choice));
    assert.ok(choice.l2 >= 0.003 && choice.l2 <= 0.03, `chose ${choice.l2} for a head trained with 0.01`);
  });

  it('rejects l2 ≤ 0 and labels outside the head', () => {
    assert.throws(() => retrainHead(problem.input.head, train, { l2: 0 }), PolicyTraceError);
    const bad = { ...train, labels: Int32Array.from(train.labels, (y, i) => (i === 2 ? 7 : y)) };
    assert.throws(() => retrainHead(problem.input.head, bad, { l2: 0.01 }), /label 7 at row 2/);
  });
});
