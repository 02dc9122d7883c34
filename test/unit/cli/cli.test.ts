/**
 * The bundled CLI as a user runs it (`npm test` builds dist/ first): exit codes, stdout/stderr split,
 * messages that name the file.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '../../../..');
const external = path.resolve(repoRoot, '../shared/external/models');

function cli(...args: string[]) {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin/policytrace.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('policytrace CLI', () => {
  it('inspect lists inputs, outputs and ops and names the SMS head (Linear 32→2) and its 32-wide feature input', () => {
    const { code, stdout } = cli('inspect', path.join(external, 'sms_spam_embedding_mlp/network.onnx'));
    assert.equal(code, 0);
    assert.match(stdout, /input\s+int64\s+\[batch_size, 100\]/);
    assert.match(stdout, /probs\s+float32\s+\[batch_size, 2\]/);
    assert.match(stdout, /Gemm ×2/);
    assert.match(stdout, /Gemm '\/fc2\/Gemm' 32 → 2/);
    assert.match(stdout, /features: '\/Relu_output_0' \[batch, 32\]/);
  });

  it('inspect says clearly that the random forest has no linear head and reads its ZipMap through probabilities', () => {
    const { code, stdout } = cli('inspect', path.join(external, 'sms_spam_rf_tfidf50/model.onnx'));
    assert.equal(code, 0);
    assert.match(stdout, /none: .*TreeEnsembleClassifier/);
    assert.match(stdout, /ZipMap/);
  });

  it('inspect --json is machine-readable', () => {
    const { code, stdout } = cli('inspect', path.join(external, 'sms_spam_embedding_mlp'), '--json');
    assert.equal(code, 0);
    const parsed = JSON.parse(stdout);
    assert.equal(parsed.inspection.parameterCount, 16627);
    assert.equal(parsed.head.inputDim, 32);
  });

  it('predict over the demo reproduces train 0.9910 and test 0.9776', () => {
    const { code, stdout } = cli('predict', '--spec', path.join(repoRoot, 'demo/policytrace.json'), '--quiet');
    assert.equal(code, 0);
    assert.match(stdout, /train\s+4459 examples, accuracy 0\.9910/);
    assert.match(stdout, /probe\s+1115 examples, accuracy 0\.9776/);
  });

  it('bad usage exits 2 with the usage line', () => {
    const unknown = cli('frobnicate');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'frobnicate'/);
    const noSpec = cli('audit');
    assert.equal(noSpec.code, 2);
    assert.match(noSpec.stderr, /--spec is required/);
  });

  it('a failing audit exits 1 with a message naming the file, and no stack trace', () => {
    const { code, stderr, stdout } = cli('audit', '--spec', '/nonexistent/policytrace.json');
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /\/nonexistent\/policytrace\.json: cannot read audit spec: file not found/);
    assert.doesNotMatch(stderr, /\n\s+at /);
  });

  it('a truncated model gives a message naming the model file', () => {
    const { code, stderr } = cli('inspect', path.join(repoRoot, 'README.md'));
    assert.equal(code, 1);
    assert.match(stderr, /README\.md/);
  });
});
