/**
 * A model with an op that has no gradient rule still gets a whole audit: full-model attribution names the
 * op and node in a warning and the attribution stays head-only.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit } from '../../../extension/engine/audit/runAudit';
import { encodeModel, OnnxDataType } from '../../../extension/engine/model/onnxProto';

/** float [batch, 3] → Gemm(3 → 3) → Abs → Gemm(3 → 2) → Softmax: a trainable layer behind an op without a gradient rule. */
function absModel(): Uint8Array {
  const weight = new Float32Array([1, -1, 0.5, -1, 1, -0.5]);
  const floatInfo = (name: string, width: number) => ({
    name,
    type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  });
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 15 }],
    graph: {
      name: 'abs_head',
      node: [
        { name: 'hidden', opType: 'Gemm', input: ['x', 'W1'], output: ['h'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
        { name: 'abs_node', opType: 'Abs', input: ['h'], output: ['a'] },
        { name: 'head', opType: 'Gemm', input: ['a', 'W', 'b'], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
        { name: 'softmax', opType: 'Softmax', input: ['logits'], output: ['probs'], attribute: [{ name: 'axis', type: 2, i: 1 }] },
      ],
      initializer: [
        { name: 'W1', dims: [3, 3], dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(new Float32Array([1, 0.2, 0, 0, 1, 0.2, 0.2, 0, 1]).buffer) },
        { name: 'W', dims: [2, 3], dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(weight.buffer) },
        { name: 'b', dims: [2], dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(new Float32Array([0, 0]).buffer) },
      ],
      input: [floatInfo('x', 3)],
      output: [floatInfo('probs', 2)],
    },
  });
}

describe('full-model attribution on an unsupported op', function () {
  this.timeout(120_000);
  it('warns with the op and node and keeps head-only attribution', async () => {
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'policytrace-abs-'));
    await fs.writeFile(path.join(work, 'model.onnx'), absModel());
    const rows: string[] = [];
    for (let i = 0; i < 120; i++) {
      const a = ((i * 37) % 19) - 9;
      const b = ((i * 11) % 17) - 8;
      rows.push(JSON.stringify({ text: a > 0 ? 'big first' : 'small first', a, b, c: i % 3, label: Math.abs(a) > Math.abs(b) ? 'left' : 'right' }));
    }
    await fs.writeFile(path.join(work, 'train.jsonl'), rows.join('\n') + '\n');
    await fs.writeFile(
      path.join(work, 'policytrace.json'),
      JSON.stringify({
        checkpoint: 'model.onnx',
        featurizer: { kind: 'numeric', inputName: 'x' },
        train: ['train.jsonl'],
        fields: { text: 'text', label: 'label', numeric: ['a', 'b', 'c'] },
        labels: ['left', 'right'],
        hypotheses: ['contains("big") -> left'],
        options: { gradients: 'full', verify: false, bootstrap: 0, holdout: 0.5 },
      }),
    );
    const report = await runAudit({ specPath: path.join(work, 'policytrace.json') });
    assert.ok(report.attribution && report.attribution.length > 0, 'head-only attribution still ran');
    assert.ok(report.attribution.every((a) => a.method.gradients === 'head' && a.fullModel === undefined));
    const warning = report.warnings.find((w) => w.startsWith('Full-model gradients unavailable'));
    assert.ok(warning, report.warnings.join('\n'));
    assert.match(warning, /Abs/);
    assert.match(warning, /abs_node/);
  });
});
