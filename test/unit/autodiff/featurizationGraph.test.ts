/**
 * The featurization graph (per-example outputs only, shapes fixed but for the batch): what makes it cheaper
 * than the general gradient graph, and that it stays exact — torch autograd on the real fixtures, and the
 * emitter's rewrites (tiling slices → Concat, deferred broadcasts, dead-node pruning) on small graphs.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { buildGradientModel, type GradientModelOptions } from '../../../extension/engine/autodiff/buildGradientModel';
import { GraphEmitter } from '../../../extension/engine/autodiff/graphEmitter';
import { fuseDecomposedLayerNorms } from '../../../extension/engine/autodiff/ops/layerNormalizationPattern';
import { createSession, ort, type ExampleFeeds } from '../../../extension/engine/autodiff/ort';
import type { ProjectionOptions } from '../../../extension/engine/autodiff/projection';
import { probeBatchLayout } from '../../../extension/engine/autodiff/probe';
import { TensorInfoMap } from '../../../extension/engine/autodiff/tensorInfo';
import { decodeModel, encodeModel, ModelProto, OnnxDataType, tensorToFloat32 } from '../../../extension/engine/model/onnxProto';
import { loadReference, relativeError } from './referenceFixtures';
import { TORCH_REFERENCE_RELATIVE } from './tolerances';

/** What featurization asks of the engine: per-example cross-entropy gradients of every float parameter, no summed ones. */
function featurizationOptions(probeExamples: ExampleFeeds, projection?: ProjectionOptions): GradientModelOptions {
  return { loss: 'crossEntropy', labelsInput: 'labels', wrt: 'all-float-initializers', perExample: true, summedGradients: false, probeExamples, ...(projection && { projection }) };
}

describe('autodiff: the featurization graph', () => {
  for (const fixture of ['mlp', 'transformer', 'sms_spam']) {
    it(`${fixture}: per-example gradients without summed gradients match torch autograd`, async () => {
      const reference = loadReference(fixture);
      const expected = reference.objectives.get('crossEntropy')!;
      const source = decodeModel(fs.readFileSync(reference.modelPath));
      const built = await buildGradientModel(source, featurizationOptions(reference.feeds));
      const session = await createSession(encodeModel(built.model));
      const results = await session.run({ ...reference.feeds, labels: new (ort().Tensor)('int64', expected.targets, [reference.batch]) });
      await session.release();
      assert.strictEqual(built.gradientOutputs.length, expected.params.size, 'a per-example output for every parameter');
      for (const output of built.gradientOutputs) {
        const error = relativeError(results[output.output].data as Float32Array, expected.params.get(output.param)!.perExample);
        assert.ok(error <= TORCH_REFERENCE_RELATIVE, `${output.param}: relative error ${error.toExponential(2)}`);
      }
    });
  }

  it('fuses the transformer LayerNorms, folds its shape arithmetic and forms no summed weight gradient', async () => {
    const reference = loadReference('transformer');
    const source = decodeModel(fs.readFileSync(reference.modelPath));
    const built = await buildGradientModel(source, featurizationOptions(reference.feeds, { kIn: 4, kOut: 4, seed: 1 }));
    const ops = (built.model.graph!.node ?? []).map((n) => n.opType);
    const count = (op: string) => ops.filter((o) => o === op).length;
    assert.strictEqual(count('LayerNormalization'), 4);
    assert.strictEqual(count('Sqrt'), 0, 'no decomposed LayerNorm is left');
    for (const op of ['Size', 'Less', 'ScatterElements', 'Range', 'Pad']) assert.strictEqual(count(op), 0, `no ${op} (constant slice pads, tiled by Concat)`);
    // Weight gradients would read a parameter's transposed copy in a backward MatMul; only the forward does.
    const transposedWeights = new Set(source.graph!.node!.filter((n) => n.opType === 'Transpose' && n.input?.[0]?.endsWith('.weight')).map((n) => n.output![0]));
    const emitted = built.model.graph!.node!.filter((n) => n.name?.startsWith('grad/'));
    assert.ok(!emitted.some((n) => n.opType === 'MatMul' && n.input?.some((i) => transposedWeights.has(i))), 'no dW = xᵀ·dy product');
  });

  it("sms_spam: the mean-pooled embedding's projected gradient is P_outᵀ·G·P_in without forming the broadcast δ", async () => {
    const reference = loadReference('sms_spam');
    const source = decodeModel(fs.readFileSync(reference.modelPath));
    const projection = { kIn: 4, kOut: 3, seed: 7 };
    const exact = await buildGradientModel(source, featurizationOptions(reference.feeds));
    const projected = await buildGradientModel(source, featurizationOptions(reference.feeds, projection));
    const nodes = projected.model.graph!.node!;
    assert.ok(!nodes.some((n) => n.opType === 'Expand'), "the mean's gradient is never broadcast to every token");
    const labels = new (ort().Tensor)('int64', reference.objectives.get('crossEntropy')!.targets, [reference.batch]);
    const run = async (built: typeof exact) => {
      const session = await createSession(encodeModel(built.model));
      const results = await session.run({ ...reference.feeds, labels });
      await session.release();
      return results;
    };
    const exactResults = await run(exact);
    const projectedResults = await run(projected);
    const matrix = (side: string) => tensorToFloat32(projected.model.graph!.initializer!.find((t) => t.name!.startsWith(`grad/projection/embed.weight/${side}_`))!);
    const pIn = matrix('in'); // [vocabulary, kIn]
    const pOut = matrix('out'); // [features, kOut]
    const g = exactResults[exact.gradientOutputs.find((o) => o.param === 'embed.weight')!.output].data as Float32Array; // [batch, vocabulary, features]
    const got = projectedResults[projected.gradientOutputs.find((o) => o.param === 'embed.weight')!.output].data as Float32Array;
    const [vocabulary, features] = [pIn.length / projection.kIn, pOut.length / projection.kOut];
    const want = new Float64Array(got.length);
    for (let e = 0; e < reference.batch; e++) {
      for (let i = 0; i < vocabulary; i++) {
        for (let o = 0; o < features; o++) {
          const value = g[(e * vocabulary + i) * features + o];
          if (value === 0) continue; // only the example's tokens have a gradient row
          for (let a = 0; a < projection.kOut; a++) for (let b = 0; b < projection.kIn; b++) want[(e * projection.kOut + a) * projection.kIn + b] += pOut[o * projection.kOut + a] * value * pIn[i * projection.kIn + b];
        }
      }
    }
    assert.ok(relativeError(got, want) < TORCH_REFERENCE_RELATIVE, `relative error ${relativeError(got, want)}`);
  });

  it('fuses only LayerNorm cores whose intermediates nothing else reads', async () => {
    const reference = loadReference('transformer');
    const source = decodeModel(fs.readFileSync(reference.modelPath));
    const probe = await probeBatchLayout(source, reference.feeds);
    const all = new GraphEmitter(structuredClone(source), new Map(probe.infos));
    assert.strictEqual(fuseDecomposedLayerNorms(all, new Map(probe.layouts)), 4);
    const exposed = structuredClone(source);
    exposed.graph!.output = [...exposed.graph!.output!, { name: '/encoder/layers.0/norm1/Sub_output_0' }];
    const partly = new GraphEmitter(exposed, new Map(probe.infos));
    assert.strictEqual(fuseDecomposedLayerNorms(partly, new Map(probe.layouts)), 3);
    assert.ok(partly.graph.node!.some((n) => n.output?.includes('/encoder/layers.0/norm1/Sub_output_0')), 'the exposed norm keeps its nodes');
  });

  it('probes batch-invariant shape arithmetic, not batch sizes or data', async () => {
    const reference = loadReference('transformer');
    const { invariants } = await probeBatchLayout(decodeModel(fs.readFileSync(reference.modelPath)), reference.feeds);
    // The q/k/v slice bounds: (48 + 2) / 3 · 1 = 16 and · 2 = 32.
    assert.deepStrictEqual(invariants.get('/encoder/layers.0/self_attn/Mul_output_0'), [16]);
    assert.deepStrictEqual(invariants.get('/encoder/layers.0/self_attn/Mul_1_output_0'), [32]);
    assert.strictEqual(invariants.get('/encoder/layers.0/self_attn/Gather_1_output_0'), undefined, 'the batch size varies');
    assert.strictEqual(invariants.get('input'), undefined, 'token ids are data');
  });
});

function emitterFor(tensors: Record<string, number[]>): GraphEmitter {
  const infos: TensorInfoMap = new Map(Object.entries(tensors).map(([name, dims]) => [name, { dataType: OnnxDataType.FLOAT, dims }]));
  const model: ModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: { name: 'g', node: [], initializer: [], input: Object.keys(tensors).map((name) => ({ name })), output: [] },
  };
  return new GraphEmitter(model, infos);
}

describe('autodiff: GraphEmitter rewrites', () => {
  it('joins slice gradients that tile an axis with one Concat, in axis order', () => {
    const emit = emitterFor({ x: [2, 6], a: [2, 2], b: [2, 4] });
    const high = emit.padAlongAxis('b', 2, 1, 2, 6, 6);
    const low = emit.padAlongAxis('a', 2, 1, 0, 2, 6);
    const total = emit.sumGradients([high, low]);
    const concat = emit.graph.node!.find((n) => n.output?.[0] === total)!;
    assert.strictEqual(concat.opType, 'Concat');
    assert.deepStrictEqual(concat.input, ['a', 'b']);
    emit.graph.output = [{ name: total }];
    emit.removeDeadNodes();
    assert.deepStrictEqual(emit.graph.node!.map((n) => n.opType), ['Concat'], 'the Pads are dropped');
  });

  it('adds padded slices that overlap or leave gaps', () => {
    const emit = emitterFor({ x: [2, 6], a: [2, 2], b: [2, 3] });
    const total = emit.sumGradients([emit.padAlongAxis('a', 2, 1, 0, 2, 6), emit.padAlongAxis('b', 2, 1, 3, 6, 6)]);
    assert.strictEqual(emit.graph.node!.find((n) => n.output?.[0] === total)!.opType, 'Sum');
  });

  it('expands a deferred broadcast only when no term has the full shape', () => {
    const emit = emitterFor({ x: [2, 3], small: [2, 1], full: [2, 3] });
    emit.assumeProbeShapes({ layouts: new Map([['x', { axis: 0, factor: 1, order: 'batch-major' }]]), invariants: new Map() });
    const deferred = emit.expandLater('small', 'x', [1]);
    const summed = emit.sumGradients([deferred, 'full']);
    assert.deepStrictEqual(emit.graph.node!.map((n) => n.opType), ['Sum'], 'Sum broadcasts');
    assert.deepStrictEqual(emit.graph.node!.find((n) => n.output?.[0] === summed)!.input, ['small', 'full']);
    const alone = emit.sumGradients([deferred]);
    const expand = emit.graph.node!.find((n) => n.output?.[0] === alone)!;
    assert.strictEqual(expand.opType, 'Expand');
    assert.ok(!emit.graph.node!.some((n) => n.opType === 'Shape'), 'the target shape is a constant [1, 3]');
  });

  it('keeps the original graph when pruning', () => {
    const emit = emitterFor({ x: [2, 3] });
    emit.graph.node!.push({ name: 'original', opType: 'Relu', input: ['x'], output: ['unread'] });
    emit.node('Neg', ['x']);
    const kept = emit.node('Abs', ['x']);
    emit.graph.output = [{ name: kept }];
    emit.removeDeadNodes();
    assert.deepStrictEqual(emit.graph.node!.map((n) => n.opType), ['Relu', 'Abs']);
  });
});
