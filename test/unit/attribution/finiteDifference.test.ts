/**
 * Every gradient formula of the head checked against central finite differences in Float64:
 * the objective's gradient, the per-example loss gradient δ ⊗ [a; 1], the policy margin gradient, the
 * smoothed-adherence gradient and the exact Hessian — for softmax (3 classes) and sigmoid heads.
 */
import * as assert from 'node:assert/strict';
import { headHessian, headObjective, lossCoefficients } from '../../../extension/engine/attribution/headObjective';
import { LinearHead, addOuter } from '../../../extension/engine/attribution/linearHead';
import { measurePolicy, policyGradients } from '../../../extension/engine/attribution/policyMeasure';
import type { HeadWeights } from '../../../extension/engine/attribution/types';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

const STEP = 1e-5;

function centralDifference(f: (theta: Float64Array) => number, theta: Float64Array): Float64Array {
  const out = new Float64Array(theta.length);
  for (let j = 0; j < theta.length; j++) {
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[j] += STEP;
    minus[j] -= STEP;
    out[j] = (f(plus) - f(minus)) / (2 * STEP);
  }
  return out;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: number, what: string): void {
  assert.equal(got.length, want.length);
  for (let j = 0; j < got.length; j++) {
    const scale = Math.max(1, Math.abs(want[j]));
    assert.ok(Math.abs(got[j] - want[j]) <= tolerance * scale, `${what}[${j}]: analytic ${got[j]} vs finite difference ${want[j]}`);
  }
}

function setup(kind: HeadWeights['kind'], classes: number) {
  const random = new SeededRandom(kind === 'sigmoid' ? 11 : 12);
  const dim = 4;
  const n = 25;
  const rows = kind === 'sigmoid' ? 1 : classes;
  const head = LinearHead.fromWeights(
    {
      W: Float32Array.from({ length: rows * dim }, () => random.normal()),
      b: Float32Array.from({ length: rows }, () => random.normal()),
      kind,
    },
    dim,
  );
  const features = Float64Array.from({ length: n * dim }, () => random.normal());
  const labels = Int32Array.from({ length: n }, (_, i) => (i === 3 ? -1 : random.int(classes)));
  const probes = Float64Array.from({ length: 10 * dim }, () => random.normal());
  return { head, features, labels, probes, policy: { policyId: 'p', coveredProbes: [0, 2, 3, 7, 9], actionClass: 1 } };
}

for (const [kind, classes] of [['softmax', 3], ['sigmoid', 2]] as const) {
  describe(`attribution gradients vs central differences (${kind}, ${classes} classes)`, () => {
    const { head, features, labels, probes, policy } = setup(kind, classes);
    const set = { features, labels };
    const l2 = 0.05;

    it('objective gradient', () => {
      const analytic = headObjective(head, head.theta, set, l2).gradient;
      const numeric = centralDifference((t) => headObjective(head, t, set, l2).value, head.theta);
      assertClose(analytic, numeric, 1e-7, 'dJ/dθ');
    });

    it('per-example loss gradient δ ⊗ [a; 1] (one line at a time)', () => {
      const coefficients = lossCoefficients(head, set);
      for (const line of [0, 5, 17]) {
        const weights = new Float64Array(labels.length);
        weights[line] = 1;
        const analytic = new Float64Array(head.parameterCount);
        addOuter(head, coefficients.subarray(line * head.rows, (line + 1) * head.rows), features, line, analytic);
        const numeric = centralDifference((t) => headObjective(head, t, { ...set, weights }, 0).value, head.theta);
        assertClose(analytic, numeric, 1e-7, `g_${line}`);
      }
    });

    it('policy margin gradient and smoothed-adherence gradient', () => {
      const gradients = policyGradients(head, head.theta, probes, policy);
      assertClose(gradients.strength, centralDifference((t) => measurePolicy(head, t, probes, policy).strength, head.theta), 1e-7, '∇f');
      assertClose(
        gradients.smoothAdherence,
        centralDifference((t) => measurePolicy(head, t, probes, policy).smoothAdherence, head.theta),
        1e-7,
        '∇Ā',
      );
    });

    it('exact Hessian', () => {
      const p = head.parameterCount;
      const hessian = headHessian(head, head.theta, set, l2);
      for (let j = 0; j < p; j++) {
        const column = centralDifference((t) => headObjective(head, t, set, l2).gradient[j], head.theta);
        assertClose(hessian.subarray(j * p, (j + 1) * p), column, 1e-6, `H[${j}]`);
      }
    });
  });
}

describe('attribution Hessian across the 4096-row chunk boundary', () => {
  it('matches central differences of the gradient on 5,000 lines', () => {
    const random = new SeededRandom(21);
    const dim = 2;
    const n = 5000;
    const head = LinearHead.fromWeights(
      { W: Float32Array.from({ length: 3 * dim }, () => random.normal()), b: new Float32Array(3), kind: 'softmax' },
      dim,
    );
    const set = {
      features: Float64Array.from({ length: n * dim }, () => random.normal()),
      labels: Int32Array.from({ length: n }, () => random.int(3)),
    };
    const p = head.parameterCount;
    const hessian = headHessian(head, head.theta, set, 0.01);
    for (let j = 0; j < p; j++) {
      const column = centralDifference((t) => headObjective(head, t, set, 0.01).gradient[j], head.theta);
      assertClose(hessian.subarray(j * p, (j + 1) * p), column, 1e-6, `H[${j}]`);
    }
  });
});
