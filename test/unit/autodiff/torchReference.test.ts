/**
 * Per-example gradients of torch-exported models against torch autograd (fixtures made once with torch 1.13):
 * an MLP (Gemm/Tanh/Erf-GELU), a 2-layer nn.TransformerEncoder classifier (attention with sequence-first
 * merged rows, decomposed LayerNorm, embeddings) and the real SMS spam model (embedding, mean, LayerNorm
 * written out, Softmax output differentiated from its input).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { buildGradientModel } from '../../../extension/engine/autodiff/buildGradientModel';
import { createSession, ort } from '../../../extension/engine/autodiff/ort';
import { decodeModel, encodeModel } from '../../../extension/engine/model/onnxProto';
import { loadReference, relativeError } from './referenceFixtures';
import { TORCH_REFERENCE_RELATIVE } from './tolerances';

const cases: { fixture: string; objective: 'crossEntropy' | 'margin' }[] = [
  { fixture: 'mlp', objective: 'crossEntropy' },
  { fixture: 'mlp', objective: 'margin' },
  { fixture: 'transformer', objective: 'crossEntropy' },
  { fixture: 'transformer', objective: 'margin' },
  { fixture: 'sms_spam', objective: 'crossEntropy' },
  { fixture: 'sms_spam', objective: 'margin' },
];

describe('autodiff: per-example gradients match torch autograd', () => {
  for (const { fixture, objective } of cases) {
    it(`${fixture} (${objective})`, async () => {
      const reference = loadReference(fixture);
      const expected = reference.objectives.get(objective)!;
      const source = decodeModel(fs.readFileSync(reference.modelPath));
      const built = await buildGradientModel(source, {
        loss: objective,
        labelsInput: 'labels',
        wrt: 'all-float-initializers',
        perExample: true,
        probeExamples: reference.feeds,
      });
      const session = await createSession(encodeModel(built.model));
      const labels = new (ort().Tensor)('int64', expected.targets, [reference.batch]);
      const results = await session.run({ ...reference.feeds, labels });

      const values = results[built.objectiveOutput].data as Float32Array;
      assert.ok(relativeError(values, expected.values) < TORCH_REFERENCE_RELATIVE, `objective values ${values} vs ${expected.values}`);
      let checkedPerExample = 0;
      for (const output of built.gradientOutputs) {
        const want = expected.params.get(output.param);
        assert.ok(want, `torch has no parameter ${output.param}`);
        const got = results[output.output].data as Float32Array;
        const wanted = output.kind === 'summed' ? want.summed : want.perExample;
        assert.strictEqual(got.length, wanted.length, `${output.kind} ${output.param} size`);
        const error = relativeError(got, wanted);
        assert.ok(error <= TORCH_REFERENCE_RELATIVE, `${output.kind} gradient of ${output.param}: relative error ${error.toExponential(2)}`);
        if (output.kind === 'perExample') checkedPerExample++;
      }
      assert.deepStrictEqual(built.perExampleSkipped, []);
      assert.strictEqual(checkedPerExample, expected.params.size, 'a per-example output for every parameter');
      await session.release();
    });
  }
});
