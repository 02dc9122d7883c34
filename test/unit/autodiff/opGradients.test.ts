/**
 * Every op rule against central finite differences (cases as data in test/fixtures/autodiff/op-cases.json,
 * tolerances in tolerances.ts): float64 graphs where onnxruntime's CPU kernels take doubles, float32 otherwise.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { createSession } from '../../../extension/engine/autodiff/ort';
import { supportedOpNames } from '../../../extension/engine/autodiff/ops/registry';
import { finiteDifferenceGradients } from './finiteDifference';
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
      const tolerance = FINITE_DIFFERENCE[testCase.dtype];
      const numeric = await finiteDifferenceGradients(built, tolerance.step);
      for (const { input, gradient } of built.wrt) {
        const got = analytic[gradient].data as Float64Array;
        const want = numeric.get(input)!;
        assert.deepStrictEqual([...analytic[gradient].dims], [...built.feeds[input].dims], `gradient of ${input} has the input's dims`);
        const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        want.forEach((w, i) => {
          const error = Math.abs(got[i] - w);
          assert.ok(error <= tolerance.absolute + tolerance.relative * scale, `${input}[${i}]: analytic ${got[i]} vs numeric ${w}`);
        });
      }
    });
  }

  it('covers every registered rule with at least one case', () => {
    const covered = new Set(cases.map((c) => (c.domain ? `${c.domain}:${c.op}` : c.op)));
    const missing = supportedOpNames().filter((name) => !covered.has(name));
    assert.deepStrictEqual(missing, []);
  });
});
