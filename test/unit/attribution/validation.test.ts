import * as assert from 'node:assert/strict';
import { attributeAndVerify, attributePolicy } from '../../../extension/engine/attribution';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { makePlantedProblem } from './plantedProblem';

describe('attribution input validation (clear PolicyTraceErrors, never a crash)', () => {
  const problem = makePlantedProblem({ lines: 60, dim: 4, poison: 3, probes: 20 });
  const { input } = problem;

  const expectError = (mutated: typeof input, pattern: RegExp): void => {
    assert.throws(() => attributePolicy(mutated, { l2: problem.l2 }), (error: unknown) => {
      assert.ok(error instanceof PolicyTraceError, String(error));
      assert.match(error.message, pattern);
      return true;
    });
  };

  it('feature matrix of the wrong size', () => {
    expectError({ ...input, train: { ...input.train, features: input.train.features.subarray(1) } }, /expected 60 lines × 4 dims/);
  });

  it('head weight that does not match the feature dim', () => {
    expectError({ ...input, head: { ...input.head, W: new Float32Array(6) } }, /expected 2 × 4/);
  });

  it('non-finite feature, located at the example file and line', () => {
    const features = Float32Array.from(input.train.features);
    features[4 * 7 + 2] = NaN;
    expectError({ ...input, train: { ...input.train, features } }, /^a\.jsonl:8: feature 2 is not finite/);
  });

  it('policy action outside the classes, empty coverage, probe index out of range', () => {
    expectError({ ...input, policy: { ...input.policy, actionClass: 2 } }, /action class 2 is not in 0\.\.1/);
    expectError({ ...input, policy: { ...input.policy, coveredProbes: [] } }, /covers no probes/);
    expectError({ ...input, policy: { ...input.policy, coveredProbes: [0, 20] } }, /index 20 is outside 0\.\.19/);
  });

  it('unlabelled lines (−1) are skipped, not attributed', () => {
    const labels = Int32Array.from(input.train.labels);
    labels[0] = -1;
    const attribution = attributePolicy({ ...input, train: { ...input.train, labels } }, { l2: problem.l2, topLines: 60 });
    const reported = [...attribution.proponents, ...attribution.opponents].map((line) => line.line);
    assert.ok(!reported.includes(1));
    assert.equal(attribution.groups.reduce((sum, g) => sum + (g.kind === 'file' ? g.lines : 0), 0), 59);
  });

  it('falls back from exact to TRAK above maxExactParams, and says so', () => {
    const attribution = attributePolicy(input, { l2: problem.l2, maxExactParams: 4, projectionDim: 6 });
    assert.equal(attribution.method.preconditioner, 'trak');
    assert.equal(attribution.method.projection, 6);
  });
});

describe('attributeAndVerify (one objective for attribution and retraining)', () => {
  it('chooses L2 once, uses it in both, and attaches the verification', function () {
    this.timeout(30000);
    const problem = makePlantedProblem({ lines: 300, dim: 6, poison: 12, l2: 0.03, cleanTriggerNoise: 0.05 });
    const attribution = attributeAndVerify(problem.input, { verify: { seeds: [1, 2] } });
    const verification = attribution.verification!;
    assert.equal(verification.random.length, 2);
    assert.ok(verification.retraining!.l2 > 0);
    assert.ok(verification.retraining!.probeAgreement! >= 0.95);
    assert.equal(verification.verified, true, verification.verdict);
    assert.equal(attributeAndVerify(problem.input, { l2: 0.03, verify: false }).verification, undefined);
  });
});
