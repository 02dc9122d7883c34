import { strict as assert } from 'node:assert';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { inspectModel } from '../../../extension/engine/model/inspect';
import { decodeModel, encodeModel, OnnxDataType } from '../../../extension/engine/model/onnxProto';
import { prepareModel } from '../../../extension/engine/model/prepare';
import { modelBytes, tensorInfo } from '../runner/syntheticModels';
import { MODEL_FIXTURES, SMS_MODEL } from './paths';

/** Asserts a PolicyTraceError with this code whose message contains every fragment. */
async function rejectsWith(promise: Promise<unknown>, code: string, ...fragments: (string | RegExp)[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof PolicyTraceError, `expected a PolicyTraceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const fragment of fragments) {
      if (typeof fragment === 'string') assert.ok(error.message.includes(fragment), `'${fragment}' missing from: ${error.message}`);
      else assert.match(error.message, fragment);
    }
    return true;
  });
}

describe('bad models give clear errors', () => {
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-bad-models-'));
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it('missing file', async () => {
    const file = path.join(dir, 'missing.onnx');
    await rejectsWith(inspectModel(file), 'model-not-found', file);
  });

  it('directory without a model', async () => {
    const empty = path.join(dir, 'empty-folder');
    await fs.mkdir(empty);
    await rejectsWith(inspectModel(empty), 'model-not-found', empty, 'holds no model');
  });

  it('empty .onnx', async () => {
    const file = path.join(dir, 'empty.onnx');
    await fs.writeFile(file, '');
    await rejectsWith(inspectModel(file), 'model-invalid', file, 'empty');
  });

  it('a real model cut in half', async () => {
    const bytes = await fs.readFile(SMS_MODEL);
    const file = path.join(dir, 'half.onnx');
    await fs.writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await rejectsWith(inspectModel(file), 'model-invalid', file, 'truncated');
  });

  it('a graph that decodes but lacks the node making its output (as a cut between fields leaves it)', async () => {
    const model = decodeModel(await fs.readFile(SMS_MODEL));
    model.graph = { ...model.graph, node: model.graph?.node?.filter((n) => n.opType !== 'Softmax') ?? [] };
    const file = path.join(dir, 'incomplete.onnx');
    await fs.writeFile(file, encodeModel(model));
    await rejectsWith(inspectModel(file), 'model-invalid', file, "graph output 'probs' is produced by no node");
  });

  it('a JSON file renamed .onnx', async () => {
    const file = path.join(dir, 'config.onnx');
    await fs.writeFile(file, JSON.stringify({ id2label: { 0: 'ham', 1: 'spam' } }));
    await rejectsWith(inspectModel(file), 'model-invalid', file, 'JSON');
  });

  it('external data: names the tensor and the data file, present or missing', async () => {
    const withData = path.join(MODEL_FIXTURES, 'external_data', 'model.onnx');
    await rejectsWith(inspectModel(withData), 'external-data', "initializer 'head.weight'", "'weights.bin' (present", 'does not load ONNX external data');
    const alone = path.join(dir, 'external-alone.onnx');
    await fs.copyFile(withData, alone);
    await rejectsWith(inspectModel(alone), 'external-data', alone, "'weights.bin' (missing", path.join(dir, 'weights.bin'));
    assert.throws(() => prepareModel(readFileSync(withData), { file: withData }), (e: PolicyTraceError) => e.code === 'external-data' && e.message.includes("'head.weight'"));
  });

  it('a model whose only output is a non-tensor that is not ZipMap', () => {
    const bytes = modelBytes({
      name: 'sequence-only',
      node: [{ name: 'make_sequence', opType: 'SequenceConstruct', input: ['x'], output: ['items'] }],
      input: [tensorInfo('x', OnnxDataType.FLOAT, [2])],
      output: [{ name: 'items', type: { sequenceType: { elemType: { tensorType: { elemType: OnnxDataType.FLOAT } } } } }],
    });
    assert.throws(
      () => prepareModel(bytes, { file: 'seq.onnx' }),
      (e: PolicyTraceError) =>
        e.code === 'non-tensor-output' && e.message.startsWith('seq.onnx: ') && e.message.includes("SequenceConstruct node 'make_sequence'"),
    );
  });
});
