/**
 * The masked per-token sequence objectives (autodiff/objective.ts) on a small float64 LM-shaped model,
 * logits = MatMul(Tanh(MatMul(x, W1)), W2) with x [batch, sequence, 3]: per-example values against plain JS
 * (cross-entropy Σ over scored tokens of logsumexp(z) − z_y; margin Σ of z_y − logsumexp_{j≠y} z_j), and
 * per-example and summed gradients of W1 and W2 against central finite differences of that JS value
 * (float64, the tolerances of test/unit/autodiff).
 */
import * as assert from 'node:assert/strict';
import { buildGradientModel } from '../../../extension/engine/autodiff/buildGradientModel';
import { constantTensor } from '../../../extension/engine/autodiff/graphEmitter';
import { createSession, ort, type ExampleFeeds } from '../../../extension/engine/autodiff/ort';
import { gaussianArray } from '../../../extension/engine/autodiff/random';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { encodeModel, OnnxDataType, type ModelProto } from '../../../extension/engine/model/onnxProto';
import { FINITE_DIFFERENCE } from '../autodiff/tolerances';

const BATCH = 3;
const SEQUENCE = 4;
const FEATURES = 3;
const HIDDEN = 4;
const VOCAB = 5;
/** Negative labels are not scored: prompt tokens (−1) and any other negative id (−7). */
const LABELS = [2, -1, 4, 0, -1, -1, 1, 3, 0, -7, -1, 2];

function lmModel(w1: Float64Array, w2: Float64Array): ModelProto {
  const tensor = (name: string, dims: (number | string)[]) => ({
    name,
    type: { tensorType: { elemType: OnnxDataType.DOUBLE, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  return {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 14 }],
    graph: {
      name: 'tiny_lm',
      node: [
        { name: 'mm1', opType: 'MatMul', input: ['x', 'W1'], output: ['pre'] },
        { name: 'act', opType: 'Tanh', input: ['pre'], output: ['h'] },
        { name: 'mm2', opType: 'MatMul', input: ['h', 'W2'], output: ['logits'] },
      ],
      initializer: [constantTensor('W1', OnnxDataType.DOUBLE, [FEATURES, HIDDEN], w1), constantTensor('W2', OnnxDataType.DOUBLE, [HIDDEN, VOCAB], w2)],
      input: [tensor('x', ['batch', 'sequence', FEATURES])],
      output: [tensor('logits', ['batch', 'sequence', VOCAB])],
    },
  };
}

type SequenceKind = 'sequenceCrossEntropy' | 'sequenceMargin';

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  return max + Math.log(values.reduce((sum, v) => sum + Math.exp(v - max), 0));
}

/** The objectives written out in JS, per example over scored tokens. */
function sequenceValues(kind: SequenceKind, logits: Float64Array): Float64Array {
  const losses = new Float64Array(BATCH);
  for (let b = 0; b < BATCH; b++) {
    for (let t = 0; t < SEQUENCE; t++) {
      const y = LABELS[b * SEQUENCE + t];
      if (y < 0) continue;
      const z = Array.from(logits.subarray((b * SEQUENCE + t) * VOCAB, (b * SEQUENCE + t + 1) * VOCAB));
      losses[b] += kind === 'sequenceCrossEntropy' ? logSumExp(z) - z[y] : z[y] - logSumExp(z.filter((_, j) => j !== y));
    }
  }
  return losses;
}

async function forwardValues(kind: SequenceKind, w1: Float64Array, w2: Float64Array, feeds: ExampleFeeds): Promise<Float64Array> {
  const session = await createSession(encodeModel(lmModel(w1, w2)));
  const out = await session.run(feeds);
  await session.release();
  return sequenceValues(kind, out.logits.data as Float64Array);
}

describe('chat-fullmodel: masked sequence objectives', () => {
  const w1 = Float64Array.from(gaussianArray(FEATURES * HIDDEN, 11));
  const w2 = Float64Array.from(gaussianArray(HIDDEN * VOCAB, 12), (v) => 2 * v);
  const x = Float64Array.from(gaussianArray(BATCH * SEQUENCE * FEATURES, 13));
  const feeds: ExampleFeeds = { x: new (ort().Tensor)('float64', x, [BATCH, SEQUENCE, FEATURES]) };

  for (const kind of ['sequenceCrossEntropy', 'sequenceMargin'] as const) it(`${kind}: per-example values over scored tokens, per-example / summed gradients matching finite differences`, async () => {
    const built = await buildGradientModel(lmModel(w1, w2), {
      loss: kind, labelsInput: 'labels', wrt: 'all-float-initializers', perExample: true, probeExamples: feeds,
    });
    const session = await createSession(encodeModel(built.model));
    const labels = new (ort().Tensor)('int64', BigInt64Array.from(LABELS, BigInt), [BATCH, SEQUENCE]);
    const results = await session.run({ ...feeds, labels });
    await session.release();

    const expected = await forwardValues(kind, w1, w2, feeds);
    const values = results[built.objectiveOutput].data as Float64Array;
    for (let b = 0; b < BATCH; b++) assert.ok(Math.abs(values[b] - expected[b]) <= 1e-12 * (1 + Math.abs(expected[b])), `example ${b}: ${values[b]} vs ${expected[b]}`);

    const { step, relative, absolute } = FINITE_DIFFERENCE.double;
    for (const [param, weights] of [['W1', w1], ['W2', w2]] as const) {
      const perExample = built.gradientOutputs.find((o) => o.param === param && o.kind === 'perExample')!;
      const summed = built.gradientOutputs.find((o) => o.param === param && o.kind === 'summed')!;
      assert.deepEqual(perExample.shape, [-1, ...(param === 'W1' ? [FEATURES, HIDDEN] : [HIDDEN, VOCAB])]);
      const rows = results[perExample.output].data as Float64Array;
      const total = results[summed.output].data as Float64Array;
      for (let k = 0; k < weights.length; k++) {
        const nudged = (delta: number) => {
          const copy = Float64Array.from(weights);
          copy[k] += delta;
          return param === 'W1' ? forwardValues(kind, copy, w2, feeds) : forwardValues(kind, w1, copy, feeds);
        };
        const up = await nudged(step);
        const down = await nudged(-step);
        let numericTotal = 0;
        for (let b = 0; b < BATCH; b++) {
          const numeric = (up[b] - down[b]) / (2 * step);
          numericTotal += numeric;
          const analytic = rows[b * weights.length + k];
          assert.ok(Math.abs(analytic - numeric) <= absolute + relative * Math.abs(numeric), `${param}[${k}] example ${b}: ${analytic} vs ${numeric}`);
        }
        assert.ok(Math.abs(total[k] - numericTotal) <= absolute + relative * Math.abs(numericTotal), `${param}[${k}] summed: ${total[k]} vs ${numericTotal}`);
      }
    }
  });

  it('refuses [batch, classes] scores with a PolicyTraceError naming the tensor', async () => {
    const model = lmModel(w1, w2);
    const flat = { name: 'flat', opType: 'ReduceSum', input: ['logits'], output: ['scores'], attribute: [{ name: 'axes', type: 7, ints: [1] }, { name: 'keepdims', type: 2, i: 0 }] };
    model.opsetImport = [{ domain: '', version: 12 }];
    model.graph!.node!.push(flat);
    model.graph!.output = [{ name: 'scores' }];
    await assert.rejects(
      buildGradientModel(model, { loss: 'sequenceCrossEntropy', logitsTensor: 'scores', labelsInput: 'labels', wrt: 'all-float-initializers', perExample: false, probeExamples: feeds }),
      (error: unknown) => error instanceof PolicyTraceError && /expected \[batch, sequence, vocab\] logits/.test(error.message) && /scores/.test(error.message),
    );
  });
});
