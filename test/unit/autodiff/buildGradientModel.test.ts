/**
 * The gradient model's contract beyond raw numbers: objective targets (Softmax detection vs probabilities),
 * LoGra projections equal to projecting the exact per-example gradients, and clear failures.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { buildGradientModel, GradientModel, GradientModelOptions } from '../../../extension/engine/autodiff/buildGradientModel';
import { createSession, ExampleFeeds, ort, OrtTensor } from '../../../extension/engine/autodiff/ort';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { decodeModel, encodeModel, ModelProto, tensorToFloat32 } from '../../../extension/engine/model/onnxProto';
import { loadReference, relativeError } from './referenceFixtures';
import { PROBABILITY_PATH_RELATIVE, TORCH_REFERENCE_RELATIVE } from './tolerances';

async function run(built: GradientModel, feeds: ExampleFeeds, labels: BigInt64Array): Promise<Record<string, OrtTensor>> {
  const session = await createSession(encodeModel(built.model));
  const results = await session.run({ ...feeds, labels: new (ort().Tensor)('int64', labels, [labels.length]) });
  await session.release();
  return results;
}

function options(overrides: Partial<GradientModelOptions>): GradientModelOptions {
  return { loss: 'crossEntropy', labelsInput: 'labels', wrt: 'all-float-initializers', perExample: true, ...overrides };
}

/** The SMS model with its final Softmax rewritten as Exp / ReduceSum(Exp), so no Softmax can be detected. */
function withHandWrittenSoftmax(model: ModelProto): ModelProto {
  const copy = structuredClone(model);
  const nodes = copy.graph!.node!;
  const index = nodes.findIndex((n) => n.opType === 'Softmax');
  const logits = nodes[index].input![0];
  nodes.splice(
    index,
    1,
    { name: 'exp', opType: 'Exp', input: [logits], output: ['exp_out'] },
    { name: 'total', opType: 'ReduceSum', input: ['exp_out', 'axes_one'], output: ['total_out'], attribute: [{ name: 'keepdims', type: 2, i: 1 }] },
    { name: 'normalize', opType: 'Div', input: ['exp_out', 'total_out'], output: ['probs'] },
  );
  copy.graph!.initializer!.push({ name: 'axes_one', dataType: 7, dims: [1], int64Data: [1] });
  return copy;
}

describe('autodiff: buildGradientModel', () => {
  const sms = loadReference('sms_spam');
  const smsModel = decodeModel(fs.readFileSync(sms.modelPath));

  for (const loss of ['crossEntropy', 'margin'] as const) {
    it(`differentiates ${loss} from probabilities when no Softmax can be looked through, matching the Softmax path`, async () => {
      const expected = sms.objectives.get(loss)!;
      const throughSoftmax = await buildGradientModel(smsModel, options({ loss, probeExamples: sms.feeds }));
      assert.deepStrictEqual(throughSoftmax.objectiveTarget, { tensor: '/fc2/Gemm_output_0', mode: 'logits' });
      const fromProbabilities = await buildGradientModel(withHandWrittenSoftmax(smsModel), options({ loss, probsTensor: 'probs', probeExamples: sms.feeds }));
      assert.deepStrictEqual(fromProbabilities.objectiveTarget, { tensor: 'probs', mode: 'probabilities' });
      // Only confident-but-not-saturated examples: at p = 1.0 in float32 the probability form has no signal left.
      const rows = [2, 4, 5, 6, 7];
      const results = await run(fromProbabilities, sms.feeds, expected.targets);
      for (const output of fromProbabilities.gradientOutputs.filter((o) => o.kind === 'perExample' && o.param.startsWith('fc'))) {
        const got = results[output.output].data as Float32Array;
        const size = got.length / sms.batch;
        const want = expected.params.get(output.param)!.perExample;
        for (const row of rows) {
          const error = relativeError(got.subarray(row * size, (row + 1) * size), want.subarray(row * size, (row + 1) * size));
          assert.ok(error <= PROBABILITY_PATH_RELATIVE, `${output.param} example ${row}: ${error}`);
        }
      }
    });
  }

  it('LoGra projections equal P_outᵀ · G · P_in of the exact per-example gradients, reproducibly', async () => {
    const reference = loadReference('transformer');
    const model = decodeModel(fs.readFileSync(reference.modelPath));
    const projection = { kIn: 4, kOut: 3, seed: 42 };
    const exact = await buildGradientModel(model, options({ probeExamples: reference.feeds, summedGradients: false }));
    const projected = await buildGradientModel(model, options({ probeExamples: reference.feeds, summedGradients: false, projection }));
    const again = await buildGradientModel(model, options({ probeExamples: reference.feeds, summedGradients: false, projection }));
    const labels = reference.objectives.get('crossEntropy')!.targets;
    const exactResults = await run(exact, reference.feeds, labels);
    const projectedResults = await run(projected, reference.feeds, labels);
    const matrix = (built: GradientModel, param: string, side: string) =>
      tensorToFloat32(built.model.graph!.initializer!.find((t) => t.name!.startsWith(`grad/projection/${param}/${side}_`))!);

    for (const [param, outByIn] of [['head.weight', true], ['encoder.layers.1.linear1.weight', true], ['embed.weight', false]] as const) {
      const projectedOutput = projected.gradientOutputs.find((o) => o.param === param && o.kind === 'projected')!;
      assert.deepStrictEqual(projectedOutput.shape, [-1, projection.kOut, projection.kIn]);
      const exactOutput = exact.gradientOutputs.find((o) => o.param === param && o.kind === 'perExample')!;
      const [rows, cols] = exactOutput.shape.slice(1);
      const [outFeatures, inFeatures] = outByIn ? [rows, cols] : [cols, rows];
      const pIn = matrix(projected, param, 'in'); // [inFeatures, kIn]
      const pOut = matrix(projected, param, 'out'); // [outFeatures, kOut]
      assert.deepStrictEqual(pIn, matrix(again, param, 'in'), 'same seed, same projection');
      const g = exactResults[exactOutput.output].data as Float32Array;
      const got = projectedResults[projectedOutput.output].data as Float32Array;
      const want = new Float64Array(got.length);
      for (let e = 0; e < reference.batch; e++) {
        for (let a = 0; a < projection.kOut; a++) {
          for (let b = 0; b < projection.kIn; b++) {
            let sum = 0;
            for (let o = 0; o < outFeatures; o++) {
              for (let i = 0; i < inFeatures; i++) {
                const gradient = outByIn ? g[e * rows * cols + o * cols + i] : g[e * rows * cols + i * cols + o];
                sum += pOut[o * projection.kOut + a] * gradient * pIn[i * projection.kIn + b];
              }
            }
            want[(e * projection.kOut + a) * projection.kIn + b] = sum;
          }
        }
      }
      assert.ok(relativeError(got, want) < TORCH_REFERENCE_RELATIVE, `${param}: ${relativeError(got, want)}`);
    }
  });

  it('names the op and node it cannot differentiate (code unsupported-op)', async () => {
    const model: ModelProto = {
      irVersion: 8,
      opsetImport: [{ domain: '', version: 14 }],
      graph: {
        name: 'cos',
        node: [
          { name: 'layer', opType: 'MatMul', input: ['x', 'w'], output: ['h'] },
          { name: 'the_cosine', opType: 'Cos', input: ['h'], output: ['logits'] },
        ],
        initializer: [{ name: 'w', dataType: 1, dims: [3, 2], floatData: [1, 2, 3, 4, 5, 6] }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 3 }] } } } }],
        output: [{ name: 'logits', type: { tensorType: { elemType: 1 } } }],
      },
    };
    await assert.rejects(buildGradientModel(model, options({})), (error: unknown) => {
      assert.ok(error instanceof PolicyTraceError);
      assert.strictEqual(error.code, 'unsupported-op');
      assert.deepStrictEqual(error.location, { op: 'Cos', node: 'the_cosine' });
      assert.match(error.message, /op Cos at node 'the_cosine'.*no gradient rule/);
      return true;
    });
  });

  it('refuses a labels input name the model already uses', async () => {
    await assert.rejects(
      buildGradientModel(smsModel, options({ labelsInput: 'input', probeExamples: sms.feeds })),
      (error: unknown) => error instanceof PolicyTraceError && error.code === 'bad-option' && /already has an input named 'input'/.test(error.message),
    );
  });
});
