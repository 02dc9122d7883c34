#!/usr/bin/env node
'use strict';
// Runs extension tests inside a real VS Code through @vscode/test-electron, with test/vscode-host/launch.js
// (code-server + Chromium) as the "VS Code executable", so the same runTests call works on a desktop VS Code
// wherever one can be downloaded.
//
//   node test/vscode-host/runIntegration.js              the integration suite (out/test/integration/suite)
//   node test/vscode-host/runIntegration.js --selftest   the launcher's own self-test (throwaway extension)
//   ... --workspace <folder>                             open another folder than the default one
const fs = require('node:fs');
const path = require('node:path');
const { runTests } = require('@vscode/test-electron');

const ROOT = path.resolve(__dirname, '..', '..');
const LAUNCHER = path.join(__dirname, 'launch.js');

function targets(argv) {
  const workspaceFlag = argv.indexOf('--workspace');
  const workspace = workspaceFlag === -1 ? undefined : path.resolve(argv[workspaceFlag + 1] || '');
  if (argv.includes('--selftest')) {
    const selftest = path.join(__dirname, 'selftest');
    return {
      extensionDevelopmentPath: path.join(selftest, 'ext'),
      extensionTestsPath: path.join(selftest, 'index.js'),
      workspace: workspace || path.join(selftest, 'workspace'),
    };
  }
  return {
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'out', 'test', 'integration', 'suite', 'index.js'),
    workspace: workspace || path.join(ROOT, 'test', 'fixtures', 'editor', 'workspace'),
    needsBuild: [path.join(ROOT, 'dist', 'extension.js')],
  };
}

function missingFiles(target) {
  const required = [target.extensionTestsPath, target.workspace, ...(target.needsBuild || [])];
  return required.filter((file) => !fs.existsSync(file));
}

async function main() {
  const target = targets(process.argv.slice(2));
  const missing = missingFiles(target);
  if (missing.length > 0) {
    console.error(`[integration] cannot run, missing:\n  ${missing.join('\n  ')}\n(run \`npm run build\` first)`);
    return 1;
  }
  // runTests spawns the launcher directly, so it must be executable even if a checkout lost the mode bit.
  fs.chmodSync(LAUNCHER, 0o755);
  try {
    await runTests({
      vscodeExecutablePath: LAUNCHER,
      extensionDevelopmentPath: target.extensionDevelopmentPath,
      extensionTestsPath: target.extensionTestsPath,
      launchArgs: [target.workspace],
    });
    return 0;
  } catch (error) {
    console.error(`[integration] ${error.message}`);
    return typeof error.code === 'number' && error.code !== 0 ? error.code : 1;
  }
}

main().then((code) => process.exit(code));
