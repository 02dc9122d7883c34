'use strict';
// The command line that @vscode/test-electron's runTests gives a VS Code executable, e.g.
//   <launchArgs...> --no-sandbox --disable-updates --extensionTestsPath=/x/suite/index.js
//   --extensionDevelopmentPath=/x --extensions-dir=... --user-data-dir=...
// Only what a web workbench can honour is kept; desktop-only switches are accepted and ignored.
const path = require('node:path');

const VALUE_FLAGS = new Set(['extensionTestsPath', 'extensionDevelopmentPath', 'extensions-dir', 'user-data-dir']);

/** Parses argv into { extensionTestsPath, extensionDevelopmentPaths, folder, ignored }. */
function parseLauncherArgs(argv) {
  const result = { extensionTestsPath: undefined, extensionDevelopmentPaths: [], folder: undefined, ignored: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (result.folder === undefined) result.folder = path.resolve(arg);
      else result.ignored.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (!VALUE_FLAGS.has(name)) {
      result.ignored.push(arg);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new Error(`missing value for --${name}`);
    if (name === 'extensionTestsPath') result.extensionTestsPath = path.resolve(value);
    else if (name === 'extensionDevelopmentPath') result.extensionDevelopmentPaths.push(path.resolve(value));
    // --extensions-dir / --user-data-dir point into .vscode-test/: every run gets fresh temporary ones instead.
    else result.ignored.push(arg);
  }
  if (!result.extensionTestsPath) throw new Error('--extensionTestsPath=<module> is required');
  if (result.extensionDevelopmentPaths.length === 0) throw new Error('--extensionDevelopmentPath=<folder> is required');
  return result;
}

module.exports = { parseLauncherArgs };
