/**
 * Known ground truth: poison lines (a distinct trigger direction, forced to class 1) create "trigger → 1" on
 * covered probes. The poison must rank on top and removing the top-k lines must break the policy far more than
 * removing k random lines; a clean control (same data, no poison) must not verify.
 */
import * as assert from 'node:assert/strict';
import {
  attributionFromScores,
  precisionAtK,
  rocAuc,
  scoreTrainingLines,
  verifyPolicy,
} from '../../../extension/engine/attribution';
import { makePlantedProblem } from './plantedProblem';
import { supporters } from '../../../extension/engine/attribution/ranking';

// l2 = 0.03: a head that is not saturated on the poison (see the report for the saturated case).
const SETUP = { lines: 600, dim: 8, poison: 20, l2: 0.03, cleanTriggerNoise: 0.05 };

describe('attribution on a planted poison policy', () => {
  const problem = makePlantedProblem(SETUP);
  const scores = scoreTrainingLines(problem.input, { l2: problem.l2 });
  const support = Array.from(scores.deltaStrength, (x) => -x);

  it('the policy holds on the covered probes before removal', () => {
    assert.ok(scores.measure.adherence >= 0.9, `adherence ${scores.measure.adherence}`);
  });

  it('ranks the poison on top with the exact preconditioner (AUC ≥ 0.95, precision@k ≥ 0.8)', () => {
    const auc = rocAuc(support, problem.isPoison);
    const precision = precisionAtK(support, problem.isPoison, SETUP.poison);
    console.log(`      exact: AUC ${auc.toFixed(3)}, precision@${SETUP.poison} ${precision.toFixed(2)}`);
    assert.ok(auc >= 0.95, `AUC ${auc}`);
    assert.ok(precision >= 0.8, `precision@k ${precision}`);
  });

  it('reports proponents, groups, concentration and scales in the report shape', () => {
    const attribution = attributionFromScores(problem.input.train, scores, { topLines: 20 });
    assert.equal(attribution.method.gradients, 'head');
    assert.equal(attribution.method.preconditioner, 'exact');
    assert.ok(attribution.method.damping > 0);
    assert.equal(attribution.proponents.length, 20);
    const poisonInTop = attribution.proponents.filter((line) => line.snippet === 'cheap trigger offer').length;
    assert.ok(poisonInTop >= 16, `${poisonInTop} poison lines among 20 proponents`);
    for (const line of attribution.proponents) {
      assert.ok(line.influence > 0 && line.relativeInfluence! > 0, 'proponents support the policy');
      assert.ok(line.selfInfluence! > 0);
    }
    for (const line of attribution.opponents) assert.ok(line.influence < 0 && line.relativeInfluence! < 0);
    // Listed in relative-influence order, strongest first.
    const relative = attribution.proponents.map((line) => line.relativeInfluence!);
    assert.deepEqual(relative, [...relative].sort((a, b) => b - a));
    const files = attribution.groups.filter((g) => g.kind === 'file');
    assert.deepEqual(files.map((g) => g.name).sort(), ['a.jsonl', 'b.jsonl']);
    // Group sums equal the sum of their lines.
    const total = Array.from(scores.deltaStrength).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(files[0].deltaStrength + files[1].deltaStrength - total) < 1e-12);
    assert.ok(attribution.concentration.topShare! > 10 * attribution.concentration.uniformShare, attribution.concentration.summary);
    for (const scale of Object.values(attribution.scales)) assert.ok(scale.unit.length > 0 && scale.explanation.endsWith('.'));
  });

  it('removing the flagged lines and retraining breaks the policy ≥ 3× more than random lines: verified', function () {
    this.timeout(60000);
    const verification = verifyPolicy(problem.input, scores, { l2: problem.l2, k: SETUP.poison });
    console.log(`      ${verification.verdict}`);
    assert.ok(verification.adherenceDropFlagged >= 0.2, `flagged adherence drop ${verification.adherenceDropFlagged}`);
    assert.ok(verification.adherenceDropFlagged >= 3 * Math.max(0.01, verification.adherenceDropRandomMean));
    assert.ok(verification.strengthDropFlagged >= 3 * Math.max(0, verification.strengthDropRandomMean));
    assert.equal(verification.verified, true);
    assert.equal(verification.random.length, 5);
    assert.deepEqual(verification.random.map((r) => r.seed), [1, 2, 3, 4, 5]);
    assert.deepEqual(verification.curve.map((c) => c.removed), [0, 5, 10, 20]);
    // The flagged curve falls as more lines go; the random one stays near the baseline.
    const flagged = verification.curve.map((c) => c.flaggedStrength);
    for (let i = 1; i < flagged.length; i++) assert.ok(flagged[i] < flagged[i - 1]);
    assert.equal(verification.retraining?.probeAgreement, 1);
  });

  it('the default k is the smallest that is predicted to halve the strength', function () {
    this.timeout(60000);
    const verification = verifyPolicy(problem.input, scores, { l2: problem.l2, seeds: [1, 2] });
    // Cumulative predicted Δstrength along the support order the report uses (relative influence).
    const ranked = supporters(scores).map((i) => scores.deltaStrength[i]);
    const predicted = ranked.slice(0, verification.k).reduce((s, v) => s + v, 0);
    const predictedBefore = ranked.slice(0, verification.k - 1).reduce((s, v) => s + v, 0);
    assert.ok(predicted <= -verification.baseline.strength / 2 && predictedBefore > -verification.baseline.strength / 2);
  });
});

describe('attribution on a clean control (no poison)', () => {
  const control = makePlantedProblem({ ...SETUP, poison: 0 });
  const poisoned = makePlantedProblem(SETUP);
  const controlScores = scoreTrainingLines(control.input, { l2: control.l2 });

  it('the model does not follow "trigger → 1" and verification says not verified', function () {
    this.timeout(60000);
    assert.ok(controlScores.measure.adherence <= 0.1, `adherence ${controlScores.measure.adherence}`);
    const verification = verifyPolicy(control.input, controlScores, { l2: control.l2 });
    assert.equal(verification.verified, false);
    assert.ok(verification.adherenceDropFlagged < 0.2);
  });

  it('a genuine broad rule ("x0 > 0.5 → 1") is not verified either', function () {
    this.timeout(60000);
    const covered: number[] = [];
    const probes = control.input.probes.features;
    for (let j = 0; j < probes.length / SETUP.dim; j++) if (probes[j * SETUP.dim] > 0.5) covered.push(j);
    const input = { ...control.input, policy: { policyId: 'x0', coveredProbes: covered, actionClass: 1 } };
    const scores = scoreTrainingLines(input, { l2: control.l2 });
    assert.ok(scores.measure.adherence > 0.5);
    assert.equal(verifyPolicy(input, scores, { l2: control.l2 }).verified, false);
  });

  it('its attribution is far less concentrated than the poisoned one (measured, see report)', () => {
    const ratio = (scores: ReturnType<typeof scoreTrainingLines>, train = control.input.train): number => {
      const c = attributionFromScores(train, scores, { topLines: 20 }).concentration;
      return (c.topShare ?? 0) / c.uniformShare;
    };
    const controlRatio = ratio(controlScores);
    const poisonedRatio = ratio(scoreTrainingLines(poisoned.input, { l2: poisoned.l2 }), poisoned.input.train);
    console.log(`      top-20 share / uniform share: control ${controlRatio.toFixed(1)}×, poisoned ${poisonedRatio.toFixed(1)}×`);
    assert.ok(controlRatio < 0.75 * poisonedRatio);
  });
});

describe('a saturated head (poison fitted to p ≈ 1): raw per-line influence degrades, relative influence and the rule group do not', () => {
  // l2 = 0.001 lets the head fit the 30 poison lines almost perfectly, so their loss gradients, and with them
  // their first-order influence, shrink: a known limit of per-line first-order methods.
  const problem = makePlantedProblem({ ...SETUP, poison: 30, l2: 0.001 });
  const scores = scoreTrainingLines(problem.input, { l2: problem.l2 });

  it('measures the per-line ranking (printed) and verifies removal of the group the rule names', function () {
    this.timeout(60000);
    const support = Array.from(scores.deltaStrength, (x) => -x);
    const auc = rocAuc(support, problem.isPoison);
    const precision = precisionAtK(support, problem.isPoison, 30);
    const relativeAuc = rocAuc(scores.relativeInfluence, problem.isPoison);
    const relativePrecision = precisionAtK(Array.from(scores.relativeInfluence), problem.isPoison, 30);
    // The group a symbolic rule names: lines whose input satisfies the antecedent (trigger present) and whose
    // label is the action.
    const { features, labels, dim } = problem.input.train;
    const group = Array.from(labels.keys()).filter((i) => features[i * dim + problem.triggerDim] > 1 && labels[i] === 1);
    assert.equal(group.length, 30);
    const perLine = verifyPolicy(problem.input, scores, { l2: problem.l2, k: 30, seeds: [1, 2, 3] });
    const byGroup = verifyPolicy(problem.input, scores, { l2: problem.l2, flagged: group, seeds: [1, 2, 3] });
    console.log(`      per-line by effect: AUC ${auc.toFixed(3)}, precision@30 ${precision.toFixed(2)}; by relative influence: AUC ${relativeAuc.toFixed(3)}, precision@30 ${relativePrecision.toFixed(2)}; ${perLine.verdict}`);
    console.log(`      rule group: ${byGroup.verdict}`);
    assert.equal(byGroup.k, 30);
    assert.equal(byGroup.verified, true);
    assert.ok(byGroup.flagged.adherence <= 0.05);
    // Raw influence fades with the fitted lines' loss; relative influence divides that out, so the per-line
    // top 30 (relative order, the default) finds the group itself.
    assert.ok(relativePrecision > precision, `relative ${relativePrecision} vs effect ${precision}`);
    assert.ok(byGroup.strengthDropFlagged >= perLine.strengthDropFlagged - 1e-9);
  });

  it('rejects explicit lines that are not labelled training lines', () => {
    assert.throws(() => verifyPolicy(problem.input, scores, { l2: problem.l2, flagged: [100000] }), /line index 100000/);
  });
});
