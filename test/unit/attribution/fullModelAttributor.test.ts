/**
 * One FullModelAttributor serving several policies must give each policy exactly what a fresh one-policy run
 * gives: the training side (Φ, the curvature, the diagonal Fisher, the self-influences) is shared, never the
 * policy side. Checked on the planted trigger case (4 classes, embedding + hidden layer + head) for the held
 * preconditioners (TRAK, EK-FAC) and the streaming ones (diagonal Fisher with a concept pathway, identity).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { attributePolicyFullModel, type FullModelAttribution, type FullModelAttributionInput } from '../../../extension/engine/attribution/fullModel';
import { FullModelAttributor } from '../../../extension/engine/attribution/fullModelAttributor';
import { loadAuditContext, type AuditContext } from '../../../extension/engine/audit/auditContext';
import { labelIds } from '../../../extension/engine/audit/classes';
import { findConceptRows, linesReadingRows } from '../../../extension/engine/attribution/conceptRows';
import { decodeModel } from '../../../extension/engine/model/onnxProto';

const CASE = path.resolve(__dirname, '../../../../test/fixtures/planted/trigger');

function assertSame(shared: FullModelAttribution, alone: FullModelAttribution, what: string): void {
  for (const key of ['influence', 'outputPathway', 'featurePathway', 'selfInfluence', 'relativeInfluence', 'trainGradientNorm', 'conceptPathway'] as const) {
    const a = shared[key];
    const b = alone[key];
    assert.equal(a === undefined, b === undefined, `${what}: ${key} present in one run only`);
    if (!a || !b) continue;
    const scale = Math.max(1e-30, ...Array.from(b, Math.abs));
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-9 * scale, `${what}: ${key}[${i}] ${a[i]} vs ${b[i]}`);
  }
  assert.equal(shared.method, alone.method, what);
  assert.equal(shared.damping, alone.damping, what);
}

describe('FullModelAttributor: one training side, several policies', function () {
  this.timeout(300000);
  let context: AuditContext;
  let base: Omit<FullModelAttributionInput, 'coveredProbes' | 'actionClass' | 'probes'>;
  let policies: { coveredProbes: number[]; actionClass: number }[];

  before(async () => {
    context = await loadAuditContext({ specPath: path.join(CASE, 'policytrace.json') });
    const { data, featurizer, checkpoint, prepared, classes } = context;
    // 400 lines keep each pass short; the two policies cover different probes and different actions.
    const train = data.train.slice(0, 400);
    base = {
      modelBytes: fs.readFileSync(checkpoint.modelPath),
      featurizer,
      train,
      trainLabels: labelIds(train, classes),
      headParams: [prepared.head!.weightSource, ...(prepared.head!.biasSource ? [prepared.head!.biasSource] : [])],
      batchSize: 128,
    };
    const containing = (word: string) => data.probes.flatMap((p, i) => (p.text.toLowerCase().includes(word) ? [i] : []));
    policies = [
      { coveredProbes: containing('kindly'), actionClass: 0 },
      { coveredProbes: containing('password'), actionClass: 2 },
      { coveredProbes: [], actionClass: 1 },
    ];
    assert.ok(policies[0].coveredProbes.length > 0 && policies[1].coveredProbes.length > 0);
  });

  after(async () => context?.forward.dispose());

  const variants: { name: string; options: Partial<FullModelAttributionInput> }[] = [
    { name: 'TRAK (true Fisher), projected', options: { preconditioner: 'trak', fisher: 'true', projection: { kIn: 8, kOut: 8, seed: 3 } } },
    { name: 'EK-FAC, projected', options: { preconditioner: 'ekfac', projection: { kIn: 8, kOut: 8, seed: 3 } } },
    { name: 'diagonal Fisher, unprojected, with a concept pathway', options: { preconditioner: 'diagonalFisher', projection: null } },
    { name: 'identity, projected', options: { preconditioner: 'identity', projection: { kIn: 8, kOut: 8, seed: 3 } } },
  ];
  for (const variant of variants) {
    it(`${variant.name}: each policy equals its own one-policy run`, async () => {
      const { probes } = context.data;
      const conceptRows = variant.options.preconditioner === 'diagonalFisher' ? { param: 'embedding.weight', width: 32, rows: [5, 17] } : undefined;
      const attributor = FullModelAttributor.open({ ...base, ...variant.options });
      try {
        for (const [index, policy] of policies.entries()) {
          const query = { probes, ...policy, ...(conceptRows && { conceptRows }) };
          const shared = await attributor.attribute(query);
          const alone = await attributePolicyFullModel({ ...base, ...variant.options, ...query });
          assertSame(shared, alone, `${variant.name}, policy ${index}`);
          if (policy.coveredProbes.length > 0) assert.ok(shared.influence.some((v) => v !== 0), `${variant.name}, policy ${index}: all zero`);
        }
      } finally {
        await attributor.dispose();
      }
    });
  }

  it('the concept pathway streamed over the lines containing the words equals the one over every line', async () => {
    const { probes } = context.data;
    const concept = findConceptRows(decodeModel(base.modelBytes), base.featurizer, ['kindly', 'password']);
    assert.ok(!('reason' in concept) && concept.onlyGathered, JSON.stringify(concept));
    const lines = linesReadingRows(base.featurizer, base.train, concept)!;
    assert.ok(lines.length > 0 && lines.length < base.train.length / 4, `${lines.length} of ${base.train.length} lines`);
    assert.ok(lines.every((i) => /kindly|password/i.test(base.train[i].text)));
    const attributor = FullModelAttributor.open({ ...base, preconditioner: 'diagonalFisher', projection: null });
    try {
      const query = { probes, ...policies[0], conceptRows: concept };
      const everyLine = (await attributor.attribute(query)).conceptPathway!;
      const subset = await attributor.conceptScores(query, lines);
      const inSubset = new Set(lines);
      const scale = Math.max(...Array.from(everyLine, Math.abs));
      assert.ok(scale > 0);
      everyLine.forEach((value, i) => {
        if (!inSubset.has(i)) assert.equal(value, 0, `line ${i} has no row of the concept yet scores ${value}`);
        assert.ok(Math.abs(subset.score[i] - value) <= 1e-6 * scale, `line ${i}: ${subset.score[i]} vs ${value}`);
      });
      assert.match(subset.method, /diagonal empirical Fisher/);
    } finally {
      await attributor.dispose();
    }
  });

  it('checks each policy: a covered probe outside the probes is named', async () => {
    const attributor = FullModelAttributor.open({ ...base, preconditioner: 'identity', projection: { kIn: 4, kOut: 4, seed: 0 } });
    try {
      await assert.rejects(attributor.attribute({ probes: context.data.probes, coveredProbes: [context.data.probes.length], actionClass: 0 }), /covered probe \d+ is outside/);
    } finally {
      await attributor.dispose();
    }
  });
});
