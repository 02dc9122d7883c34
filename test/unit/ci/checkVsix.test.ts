import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { storedZip } from './storedZip';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CHECK_VSIX = path.join(ROOT, 'scripts', 'ci', 'check-vsix.js');
// The script's helpers are plain CommonJS (they run in CI before any TypeScript build).
const { listZip, readZipEntry } = require(path.join(ROOT, 'scripts', 'ci', 'lib', 'zipListing.js')) as {
  listZip(file: string): { name: string; size: number }[];
  readZipEntry(file: string, name: string): Buffer;
};

const ORT = 'extension/node_modules/onnxruntime-node';
const COMMON = 'extension/node_modules/onnxruntime-common';

/** A vsix as vsce lays it out, for `target`, with onnxruntime binaries for each of `binaryPlatforms`. */
function fakeVsix(target: string, binaryPlatforms: string[], extra: Record<string, string> = {}): Record<string, string> {
  const entries: Record<string, string> = {
    'extension.vsixmanifest': `<PackageManifest><Metadata><Identity Id="policytrace" TargetPlatform="${target}"/></Metadata></PackageManifest>`,
    '[Content_Types].xml': '<Types/>',
    'extension/package.json': JSON.stringify({ name: 'policytrace', main: './dist/extension.js' }),
    'extension/dist/extension.js': 'module.exports = {};',
    [`${ORT}/package.json`]: '{}',
    [`${ORT}/dist/index.js`]: '',
    [`${COMMON}/package.json`]: '{"type":"module"}',
    [`${COMMON}/dist/cjs/package.json`]: '{"type":"commonjs"}',
    [`${COMMON}/dist/esm/package.json`]: '{"type":"module"}',
    [`${COMMON}/dist/cjs/index.js`]: '',
    ...extra,
  };
  for (const platform of binaryPlatforms) {
    const [osName, arch] = platform.split('-');
    entries[`${ORT}/bin/napi-v6/${osName}/${arch}/onnxruntime_binding.node`] = 'binary';
  }
  return entries;
}

function runCheck(entries: Record<string, string>, target: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-check-vsix-'));
  try {
    const file = path.join(dir, 'test.vsix');
    fs.writeFileSync(file, storedZip(entries));
    const result = spawnSync(process.execPath, [CHECK_VSIX, file, '--target', target], { encoding: 'utf8' });
    return { status: result.status, output: result.stdout + result.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('ci: zip listing', () => {
  it('lists entries with sizes and reads one back', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-zip-'));
    try {
      const file = path.join(dir, 'a.zip');
      fs.writeFileSync(file, storedZip({ 'a.txt': 'hello', 'dir/b.json': '{"x":1}' }));
      assert.deepEqual(listZip(file).map((e) => [e.name, e.size]), [['a.txt', 5], ['dir/b.json', 7]]);
      assert.equal(readZipEntry(file, 'dir/b.json').toString('utf8'), '{"x":1}');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a file that is not a zip with its name in the message', () => {
    const file = path.join(os.tmpdir(), `policytrace-not-a-zip-${process.pid}.vsix`);
    fs.writeFileSync(file, 'definitely not a zip archive, just some text that is long enough');
    try {
      assert.throws(() => listZip(file), /not-a-zip.*not a zip archive/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});

describe('ci: check-vsix', () => {
  it('accepts a package with exactly its own platform binaries', () => {
    const { status, output } = runCheck(fakeVsix('linux-x64', ['linux-x64']), 'linux-x64');
    assert.equal(status, 0, output);
    assert.match(output, /check-vsix: ok/);
  });

  it('rejects binaries of two platforms', () => {
    const { status, output } = runCheck(fakeVsix('linux-x64', ['linux-x64', 'win32-x64']), 'linux-x64');
    assert.equal(status, 1);
    assert.match(output, /expected one platform's onnxruntime binaries, found 2/);
  });

  it('rejects a package whose binaries are for another platform than its manifest says', () => {
    const { status, output } = runCheck(fakeVsix('linux-x64', ['linux-arm64']), 'linux-x64');
    assert.equal(status, 1);
    assert.match(output, /missing node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64\/onnxruntime_binding\.node/);
  });

  it('rejects tests, sources, source maps and other dependencies', () => {
    const extra = {
      'extension/test/unit/x.test.js': '',
      'extension/extension/extension.ts': '',
      'extension/dist/extension.js.map': '',
      'extension/node_modules/ajv/package.json': '{}',
    };
    const { status, output } = runCheck(fakeVsix('linux-x64', ['linux-x64'], extra), 'linux-x64');
    assert.equal(status, 1);
    for (const what of ['development folder', 'TypeScript source', 'source map', 'unexpected dependency file']) {
      assert.ok(output.includes(what), `expected "${what}" in:\n${output}`);
    }
  });

  it('rejects a package missing the package.json that makes onnxruntime-common/dist/cjs CommonJS', () => {
    const entries = fakeVsix('linux-x64', ['linux-x64']);
    delete entries[`${COMMON}/dist/cjs/package.json`];
    const { status, output } = runCheck(entries, 'linux-x64');
    assert.equal(status, 1);
    assert.match(output, /missing node_modules\/onnxruntime-common\/dist\/cjs\/package\.json/);
  });
});
