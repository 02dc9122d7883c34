/**
 * The tiny GPT's per-example gradients of every parameter against torch autograd
 * (scripts/chatlm/fullmodel_reference.py → test/fixtures/chat-fullmodel/gpt_gradients.*): a poison line and a
 * plain line run in ONE padded batch (so padding and batching must not leak between lines), for the summed
 * SFT loss and the summed per-token margin, unprojected. pos.weight is read through a Slice and has no
 * per-example gradient (it is reported as skipped); every other parameter is compared.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ort } from '../../../extension/engine/autodiff/ort';
import { forEachSequenceGradient, longestSequence, openSequenceGradients } from '../../../extension/engine/chat/fullModel';
import type { TokenSequence } from '../../../extension/engine/chat/lmHead';
import { decodeModel } from '../../../extension/engine/model/onnxProto';

const FIXTURE = path.resolve(__dirname, '../../../../test/fixtures/chat-fullmodel');
/**
 * max |Δ| / max |torch| per parameter; measured worst 4.5e-6 (float32 through two attention blocks): allow 1e-5.
 * Key biases have an exactly zero gradient (a softmax row is invariant to adding q·b_k to every score): both
 * sides return float noise there, so they are only required to be ≤ RELATIVE × the line's largest entry.
 */
const RELATIVE = 1e-5;
const ZERO_GRADIENT = /\.k\.bias$/;

interface Slice {
  shape: number[];
  offset: number;
  length: number;
}

interface ReferenceLine {
  line: number;
  input_ids: number[];
  target_mask: number[];
  objectives: Record<'sft' | 'margin', { value: number; params: Record<string, Slice> }>;
}

describe('chat-fullmodel: tiny GPT per-example gradients against torch', function () {
  let lines: ReferenceLine[];
  let floats: Float32Array;
  let modelBytes: Uint8Array;
  before(function () {
    const index = path.join(FIXTURE, 'gpt_gradients.json');
    if (!fs.existsSync(index)) this.skip();
    ort().env.logLevel = 'error';
    const json = JSON.parse(fs.readFileSync(index, 'utf8')) as { model: string; lines: ReferenceLine[] };
    lines = json.lines;
    const blob = fs.readFileSync(path.join(FIXTURE, 'gpt_gradients.bin'));
    floats = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
    modelBytes = fs.readFileSync(path.resolve(FIXTURE, json.model));
  });

  for (const [kind, objective] of [['sft', 'sequenceCrossEntropy'], ['margin', 'sequenceMargin']] as const) {
    it(`${kind}: every parameter with a per-example gradient matches torch, and the values match`, async () => {
      const sequences: TokenSequence[] = lines.map((l) => ({ ids: Int32Array.from(l.input_ids), targetMask: Uint8Array.from(l.target_mask) }));
      const model = decodeModel(modelBytes);
      const gradients = await openSequenceGradients(model, sequences, longestSequence(sequences), undefined, 0, undefined, objective);
      const worst = new Map<string, number>();
      const lineScale = lines.map((l) => Object.values(l.objectives[kind].params).reduce((max, s) => floats.subarray(s.offset, s.offset + s.length).reduce((m, v) => Math.max(m, Math.abs(v)), max), 0));
      const values: number[] = [];
      try {
        await forEachSequenceGradient(gradients, sequences, sequences.length, (i, param, row) => {
          const slice = lines[i].objectives[kind].params[param];
          assert.ok(slice, `torch has no parameter '${param}'`);
          assert.equal(row.length, slice.length, param);
          const want = floats.subarray(slice.offset, slice.offset + slice.length);
          let error = 0;
          let scale = 0;
          for (let k = 0; k < row.length; k++) (error = Math.max(error, Math.abs(row[k] - want[k]))), (scale = Math.max(scale, Math.abs(want[k])));
          if (ZERO_GRADIENT.test(param)) {
            const size = row.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
            assert.ok(size <= RELATIVE * lineScale[i] && scale <= RELATIVE * lineScale[i], `${param}: ${size} / ${scale} is not zero`);
          } else worst.set(`${lines[i].line}/${param}`, error / scale);
        }, (i, value) => (values[i] = value));
      } finally {
        await gradients.gradients.session.release();
      }
      const compared = new Set([...worst.keys()].map((key) => key.split('/').slice(1).join('/')).concat(['blocks.0.k.bias', 'blocks.1.k.bias']));
      const torchParams = Object.keys(lines[0].objectives[kind].params);
      assert.deepEqual(torchParams.filter((p) => !compared.has(p)), ['pos.weight']);
      assert.deepEqual(gradients.gradients.skipped.map((s) => s.param).sort(), ['causal', 'pos.weight']);
      const sorted = [...worst.entries()].sort((a, b) => b[1] - a[1]);
      const [key, error] = sorted[0];
      console.log(`      ${worst.size} (line, parameter) pairs; worst relative error ${error.toExponential(2)} at ${key}`);
      assert.ok(error <= RELATIVE, `${key}: ${error}`);
      lines.forEach((l, i) => assert.ok(Math.abs(values[i] - l.objectives[kind].value) <= 1e-5 * (1 + Math.abs(l.objectives[kind].value)), `line ${l.line}: ${values[i]} vs ${l.objectives[kind].value}`));
    });
  }
});
