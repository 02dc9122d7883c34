/** Batch-layout detection: plain batch axes, merged seq·batch rows in both orders, and ambiguous cases. */
import * as assert from 'assert';
import * as fs from 'fs';
import { ort } from '../../../extension/engine/autodiff/ort';
import { detectLayout, probeBatchLayout } from '../../../extension/engine/autodiff/probe';
import { decodeModel } from '../../../extension/engine/model/onnxProto';
import { loadReference } from './referenceFixtures';

/** A [rows, 2] tensor for examples (A, B, A) with `factor` rows each, laid out in `order`. */
function mergedRows(factor: number, order: 'batch-major' | 'sequence-major'): ReturnType<typeof tensor> {
  const examples = [0, 1, 0];
  const values: number[] = [];
  for (let row = 0; row < 3 * factor; row++) {
    const [example, t] = order === 'batch-major' ? [Math.floor(row / factor), row % factor] : [row % 3, Math.floor(row / 3)];
    values.push(examples[example] * 10 + t, examples[example] - t);
  }
  return tensor(values, [3 * factor, 2]);
}

function tensor(values: number[], dims: number[]) {
  return new (ort().Tensor)('float32', Float32Array.from(values), dims);
}

describe('autodiff: probe', () => {
  it('finds a plain batch axis anywhere', () => {
    assert.deepStrictEqual(detectLayout([5, 2, 7], tensor(new Array(105).fill(0), [5, 3, 7])), { axis: 1, factor: 1, order: 'batch-major' });
  });

  it('tells batch-major from sequence-major merged rows', () => {
    assert.deepStrictEqual(detectLayout([8, 2], mergedRows(4, 'batch-major')), { axis: 0, factor: 4, order: 'batch-major' });
    assert.deepStrictEqual(detectLayout([8, 2], mergedRows(4, 'sequence-major')), { axis: 0, factor: 4, order: 'sequence-major' });
  });

  it('gives no layout when it cannot tell', () => {
    assert.strictEqual(detectLayout([8, 2], tensor(new Array(24).fill(1), [12, 2])), undefined, 'A and B identical');
    assert.strictEqual(detectLayout([4, 2], tensor(new Array(8).fill(0), [4, 2])), undefined, 'no axis grows');
    assert.strictEqual(detectLayout([4, 2], tensor(new Array(20).fill(0), [4, 5])), undefined, 'an axis grows, but not as 2 : 3');
    assert.strictEqual(detectLayout([2, 2], tensor(new Array(9).fill(0), [3, 3])), undefined, 'two axes grow');
  });

  it("finds torch attention's sequence-first rows in the exported transformer", async () => {
    const reference = loadReference('transformer');
    const { layouts, infos } = await probeBatchLayout(decodeModel(fs.readFileSync(reference.modelPath)), reference.feeds);
    assert.deepStrictEqual(layouts.get('input'), { axis: 0, factor: 1, order: 'batch-major' });
    assert.deepStrictEqual(layouts.get('/encoder/layers.0/self_attn/Transpose_output_0'), { axis: 1, factor: 1, order: 'batch-major' });
    // out_proj's input: [seq·batch, d] with row = t·batch + example.
    assert.deepStrictEqual(layouts.get('/encoder/layers.0/self_attn/Reshape_3_output_0'), { axis: 0, factor: 8, order: 'sequence-major' });
    assert.deepStrictEqual(infos.get('/encoder/layers.0/self_attn/Reshape_3_output_0')?.dims, [24, 16]);
  });
});

describe('autodiff: probe failures are explained', () => {
  it('needs two probe examples', async () => {
    const reference = loadReference('mlp');
    const one = { input: new (ort().Tensor)('float32', new Float32Array(6), [1, 6]) };
    await assert.rejects(probeBatchLayout(decodeModel(fs.readFileSync(reference.modelPath)), one), /at least 2 rows along axis 0, 'input' has dims \[1, 6\]/);
  });

  it('says why a fixed-batch model cannot be probed', async () => {
    const reference = loadReference('mlp');
    const model = decodeModel(fs.readFileSync(reference.modelPath));
    model.graph!.input![0].type!.tensorType!.shape!.dim![0] = { dimValue: 1 };
    await assert.rejects(probeBatchLayout(model, reference.feeds), (error: Error & { code?: string }) => {
      assert.strictEqual(error.code, 'probe-failed');
      assert.match(error.message, /probe run at batch size 2 failed \(gradients need a model that accepts any batch size\)/);
      return true;
    });
  });
});
