#!/usr/bin/env node
'use strict';
// Builds per-platform .vsix files, each carrying only its own onnxruntime-node native binaries.
//   node scripts/ci/package-vsix.js                    linux-x64 (npm run package)
//   node scripts/ci/package-vsix.js --all              every target with binaries (npm run package:all)
//   node scripts/ci/package-vsix.js --target win32-x64 [--out-dir artifacts/vsix] [--no-build]
// How: a production esbuild build, then `vsce package --target T` with a per-target ignore file = the whitelist
// in .vscodeignore + one line re-including node_modules/onnxruntime-node/bin/napi-v6/<os>/<arch>/**. vsce walks
// the production dependencies (`npm list`), and the whitelist keeps only onnxruntime-node and -common: the
// other dependencies are inside the esbuild bundle already. (--no-dependencies would drop node_modules entirely.)
// onnxruntime-node 1.30 ships no darwin-x64 binding, so there is no darwin-x64 package: --all skips it with a
// note (Intel Macs get "not available for your platform" on the Marketplace instead of a package that
// cannot load its engine), and asking for it explicitly is an error.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { ALL_TARGETS, ortBinaryDir, hasOrtBinaries } = require('./lib/targets');

const ROOT = path.resolve(__dirname, '..', '..');
const VSCE = path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');

function parseArgs(argv) {
  const options = { targets: [], all: false, outDir: path.join(ROOT, 'artifacts', 'vsix'), build: true };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--all') options.all = true;
    else if (argv[i] === '--target') options.targets.push(argv[++i]);
    else if (argv[i] === '--out-dir') options.outDir = path.resolve(argv[++i]);
    else if (argv[i] === '--no-build') options.build = false;
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  for (const target of options.targets) {
    if (!ALL_TARGETS.includes(target)) throw new Error(`unknown target ${target} (one of ${ALL_TARGETS.join(', ')})`);
    if (!hasOrtBinaries(ROOT, target)) throw new Error(`onnxruntime-node ships no ${target} binaries (${ortBinaryDir(target)})`);
  }
  if (options.all) {
    for (const target of ALL_TARGETS) {
      if (hasOrtBinaries(ROOT, target)) options.targets.push(target);
      else console.log(`[package] skipping ${target}: onnxruntime-node ships no binaries in ${ortBinaryDir(target)}`);
    }
  }
  if (options.targets.length === 0) options.targets.push('linux-x64');
  return options;
}

function run(command, args) {
  execFileSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
}

function ignoreFileFor(target, tempDir) {
  const whitelist = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8');
  const file = path.join(tempDir, `vscodeignore-${target}`);
  fs.writeFileSync(file, `${whitelist}\n# ${target}'s native binaries only\n!${ortBinaryDir(target)}/**\n`);
  return file;
}

function packageTarget(target, outDir, tempDir) {
  const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const out = path.join(outDir, `${name}-${target}-${version}.vsix`);
  const started = Date.now();
  run(process.execPath, [
    VSCE, 'package',
    '--target', target,
    '--ignoreFile', ignoreFileFor(target, tempDir),
    '--out', out,
    '--skip-license', // licence is declared in package.json ("MIT"); vsce would otherwise prompt
    '--allow-missing-repository',
    // No "repository" in package.json yet, so vsce cannot turn README's relative links into absolute ones;
    // once one is set, drop this flag and the Marketplace page links work.
    '--no-rewrite-relative-links',
  ]);
  console.log(`[package] ${target}: ${path.relative(ROOT, out)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  run(process.execPath, [path.join(__dirname, 'check-vsix.js'), out, '--target', target]);
  return out;
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) {
    // Minified bundles without source maps; a stale dev build's *.map files are not whitelisted anyway.
    run(process.execPath, [path.join(ROOT, 'esbuild.config.mjs'), '--production']);
  }
  fs.mkdirSync(options.outDir, { recursive: true });
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-package-'));
  try {
    for (const target of options.targets) packageTarget(target, options.outDir, tempDir);
  } finally {
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(`[package] ${error.message}`);
  process.exitCode = 1;
}
