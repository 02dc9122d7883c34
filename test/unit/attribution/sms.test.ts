/**
 * The real SMS spam MLP (a16z/jolt export) with its real training split: head-only attribution on the real
 * final layer and real penultimate features (fixture made once by scripts/fixtures/attribution/).
 */
import * as assert from 'node:assert/strict';
import {
  LinearHead,
  attributionFromScores,
  precisionAtK,
  retrainHead,
  rocAuc,
  scoreTrainingLines,
  verifyPolicy,
} from '../../../extension/engine/attribution';
import { argmax } from '../../../extension/engine/attribution/linearHead';
import { hasWord, loadSms, smsInput, SMS_JSONL } from './smsFixture';

describe('attribution on the real SMS spam head', function () {
  this.timeout(60000);
  const data = loadSms();

  it('the fixture reproduces the documented train accuracy 0.9910', () => {
    const head = LinearHead.fromWeights(data.head, 32);
    const z = new Float64Array(2);
    let correct = 0;
    for (let i = 0; i < data.trainLabels.length; i++) if (argmax(head.logits(data.trainFeatures, i, z)) === data.trainLabels[i]) correct++;
    assert.equal((correct / data.trainLabels.length).toFixed(4), '0.9910');
  });

  it('a real policy ("free" → spam): supporters are spam lines with real provenance; broad support is not verified', () => {
    const covered = data.probeTexts.flatMap((text, i) => (hasWord(text, 'free') ? [i] : []));
    const input = smsInput(data, 'free->spam', covered, 1);
    const scores = scoreTrainingLines(input, { l2: 0.003 });
    assert.ok(scores.measure.adherence > 0.8, `adherence ${scores.measure.adherence}`);
    const attribution = attributionFromScores(input.train, scores, { topLines: 10 });
    for (const line of attribution.proponents) {
      assert.equal(line.label, 'spam');
      assert.equal(line.file, SMS_JSONL);
    }
    const verification = verifyPolicy(input, scores, { seeds: [1, 2, 3] });
    console.log(`      chosen L2 ${verification.retraining?.l2}, probe agreement ${verification.retraining?.probeAgreement?.toFixed(4)}`);
    console.log(`      ${verification.verdict}`);
    assert.ok(verification.retraining!.probeAgreement! >= 0.98);
    assert.equal(verification.verified, false);
  });

  it('label-flip poison (40 ham lines with "home" → spam, head refitted): flipped lines rank on top', () => {
    const flipped = data.trainExamples.flatMap((e, i) => (data.trainLabels[i] === 0 && hasWord(e.text, 'home') ? [i] : [])).slice(0, 40);
    const labels = Int32Array.from(data.trainLabels);
    for (const i of flipped) labels[i] = 1;
    const l2 = 0.003;
    const head = retrainHead(data.head, { features: data.trainFeatures, labels, dim: 32 }, { l2 }).head;
    const covered = data.probeTexts.flatMap((text, i) => (hasWord(text, 'home') ? [i] : []));
    const input = smsInput({ ...data, trainLabels: labels }, 'home->spam', covered, 1, head);
    const scores = scoreTrainingLines(input, { l2 });
    const isFlipped = Array.from({ length: labels.length }, (_, i) => flipped.includes(i));
    const support = Array.from(scores.deltaStrength, (x) => -x);
    const auc = rocAuc(support, isFlipped);
    const precision = precisionAtK(support, isFlipped, flipped.length);
    const verification = verifyPolicy(input, scores, { l2, k: flipped.length, seeds: [1, 2, 3] });
    console.log(`      AUC ${auc.toFixed(3)}, precision@${flipped.length} ${precision.toFixed(2)}; ${verification.verdict}`);
    assert.ok(auc >= 0.95 && precision >= 0.8);
    // The frozen features barely separate "home": the head never follows the rule (adherence ≈ 0), so there is
    // nothing to verify, but removing the flipped lines lowers its strength far more than random lines.
    assert.ok(verification.strengthDropFlagged > 3 * Math.abs(verification.strengthDropRandomMean));
    assert.equal(verification.verified, false);
  });
});
