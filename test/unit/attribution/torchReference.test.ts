/**
 * An independent reference: the same L2 softmax head fitted by torch LBFGS in float64, with the Hessian and
 * query gradient from torch autograd (scripts/fixtures/attribution/make_torch_reference.py, run once).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Example } from '../../../extension/engine/data/example';
import { LinearHead, measurePolicy, retrainHead, scoreTrainingLines } from '../../../extension/engine/attribution';

interface Reference {
  n: number;
  dim: number;
  classes: number;
  l2: number;
  action: number;
  features: number[];
  labels: number[];
  probes: number[];
  thetaTorchLayout: number[];
  strength: number;
  deltaStrength: number[];
  leaveOneOut: Record<string, number>;
}

const reference = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../../../test/fixtures/attribution/torch_reference.json'), 'utf8'),
) as Reference;

describe('attribution vs a torch autograd reference (3-class softmax head, L2)', () => {
  const { n, dim, classes, l2 } = reference;
  // Float64 features: the reference is float64 throughout.
  const features = Float64Array.from(reference.features);
  const labels = Int32Array.from(reference.labels);
  const probes = Float64Array.from(reference.probes);
  const zeros = { W: new Float32Array(classes * dim), b: new Float32Array(classes), kind: 'softmax' as const };
  const fit = retrainHead(zeros, { features: features, labels, dim }, { l2 });
  const policy = { policyId: 'ref', coveredProbes: Array.from({ length: 10 }, (_, i) => i), actionClass: reference.action };

  it('retraining reaches torch’s optimum', () => {
    for (let c = 0; c < classes; c++) {
      for (let j = 0; j < dim; j++) {
        const ours = fit.theta[c * (dim + 1) + j];
        assert.ok(Math.abs(ours - reference.thetaTorchLayout[c * dim + j]) < 1e-6, `W[${c},${j}] ${ours}`);
      }
      assert.ok(Math.abs(fit.theta[c * (dim + 1) + dim] - reference.thetaTorchLayout[classes * dim + c]) < 1e-6, `b[${c}]`);
    }
    const head = LinearHead.fromWeights(zeros, dim);
    assert.ok(Math.abs(measurePolicy(head, fit.theta, probes, policy).strength - reference.strength) < 1e-6);
  });

  it('per-line Δstrength equals (1/n) ∇fᵀ H⁻¹ (g_i + l2 θ) from torch autograd', () => {
    // Attribute at our optimum with the exact Hessian and no extra damping, as the reference does. (HeadWeights
    // hold float32, so θ is rounded to ~1e-7 relative; its effect is far below the tolerance.)
    const examples = Array.from({ length: n }, (_, i): Example => ({
      id: String(i), file: 'ref', line: i + 1, endLine: i + 1, byteOffset: 0, byteLength: 0, text: '', record: {},
    }));
    const scores = scoreTrainingLines(
      { head: fit.head, train: { features, dim, labels, examples }, probes: { features: probes }, policy },
      { l2, damping: 0 },
    );
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(scores.deltaStrength[i] - reference.deltaStrength[i]));
    const scale = Math.max(...reference.deltaStrength.map(Math.abs));
    console.log(`      max |ours − torch| = ${worst.toExponential(2)} (largest |Δstrength| ${scale.toExponential(2)})`);
    assert.ok(worst < 1e-6 * scale);
  });

  it('exact leave-one-out retraining matches torch’s refits', () => {
    const head = LinearHead.fromWeights(zeros, dim);
    for (const [line, change] of Object.entries(reference.leaveOneOut)) {
      const weights = new Float64Array(n).fill(1);
      weights[Number(line)] = 0;
      const refit = retrainHead(zeros, { features: features, labels, dim }, { l2, weights });
      const ours = measurePolicy(head, refit.theta, probes, policy).strength - reference.strength;
      assert.ok(Math.abs(ours - change) < 1e-6, `line ${line}: ${ours} vs ${change}`);
    }
  });
});
