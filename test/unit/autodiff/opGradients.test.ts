/**
 * Every op rule against central finite differences (cases as data in test/fixtures/autodiff/op-cases.json,
 * tolerances in tolerances.ts): float64 graphs where onnxruntime's CPU kernels take doubles, float32 otherwise.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createSession } from '../../../extension/engine/autodiff/ort';
import { supportedOpNames } from '../../../extension/engine/autodiff/ops/registry';
import { assertMatchesFiniteDifferences } from './finiteDifference';
import { buildOpCase, OpCase } from './opCaseModel';
import { fixtureDir } from './referenceFixtures';
import { FINITE_DIFFERENCE } from './tolerances';

const cases = (JSON.parse(fs.readFileSync(path.join(fixtureDir, 'op-cases.json'), 'utf8')) as { cases: OpCase[] }).cases;

describe('autodiff: op rules match central finite differences', () => {
  for (const testCase of cases) {
    it(`${testCase.name} [${testCase.dtype}]`, async () => {
      const built = await buildOpCase(testCase);
      const session = await createSession(built.gradient);
      const seedFeeds = Object.fromEntries(built.seeds.map(({ output, seed }) => [`seed_${output}`, seed]));
      const analytic = await session.run({ ...built.feeds, ...seedFeeds });
      await session.release();
      await assertMatchesFiniteDifferences(built, analytic, FINITE_DIFFERENCE[testCase.dtype]);
    });
  }

  it('covers every registered rule with at least one case', () => {
    const covered = new Set(cases.map((c) => (c.domain ? `${c.domain}:${c.op}` : c.op)));
    const missing = supportedOpNames().filter((name) => !covered.has(name));
    assert.deepStrictEqual(missing, []);
  });
});
