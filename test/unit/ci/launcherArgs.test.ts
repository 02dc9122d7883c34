import * as assert from 'node:assert/strict';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
// The launcher is plain CommonJS (it must run on Node 20 before any TypeScript build).
const { parseLauncherArgs } = require(path.join(ROOT, 'test', 'vscode-host', 'lib', 'args.js')) as {
  parseLauncherArgs(argv: string[]): {
    extensionTestsPath: string;
    extensionDevelopmentPaths: string[];
    folder: string | undefined;
    ignored: string[];
  };
};

describe('ci: vscode-host launcher arguments', () => {
  it('reads what @vscode/test-electron passes and ignores desktop-only switches', () => {
    const parsed = parseLauncherArgs([
      '/ws/demo',
      '--no-sandbox',
      '--disable-gpu-sandbox',
      '--extensionTestsPath=/x/out/test/suite/index.js',
      '--extensionDevelopmentPath=/x',
      '--extensions-dir=/x/.vscode-test/extensions',
      '--user-data-dir=/x/.vscode-test/user-data',
    ]);
    assert.equal(parsed.folder, '/ws/demo');
    assert.equal(parsed.extensionTestsPath, '/x/out/test/suite/index.js');
    assert.deepEqual(parsed.extensionDevelopmentPaths, ['/x']);
    assert.ok(parsed.ignored.includes('--no-sandbox'));
    assert.ok(parsed.ignored.some((a) => a.startsWith('--user-data-dir')), 'a fresh user-data dir is used instead');
  });

  it('accepts the space-separated form and several development paths', () => {
    const parsed = parseLauncherArgs(['--extensionTestsPath', '/t/index.js', '--extensionDevelopmentPath', '/a', '--extensionDevelopmentPath=/b']);
    assert.deepEqual(parsed.extensionDevelopmentPaths, ['/a', '/b']);
    assert.equal(parsed.folder, undefined);
  });

  it('names the missing argument', () => {
    assert.throws(() => parseLauncherArgs(['--extensionDevelopmentPath=/x']), /--extensionTestsPath=<module> is required/);
    assert.throws(() => parseLauncherArgs(['--extensionTestsPath=/t.js']), /--extensionDevelopmentPath=<folder> is required/);
    assert.throws(() => parseLauncherArgs(['--extensionTestsPath']), /missing value for --extensionTestsPath/);
  });
});
