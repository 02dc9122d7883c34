#!/usr/bin/env node
'use strict';
// Lists a .vsix and checks it is fit to publish for one platform:
//   node scripts/ci/check-vsix.js <file.vsix> [--target linux-x64] [--max-mb 40] [--list]
// Checks: under the size limit; the manifest names the target platform; the bundle entry point is there;
// exactly one platform's onnxruntime-node binaries (the target's) are inside; no source, tests, fixtures,
// source maps, dev tooling or other node_modules. Exits 1 with every problem listed.
const fs = require('node:fs');
const path = require('node:path');
const { listZip, readZipEntry } = require('./lib/zipListing');
const { ORT_BIN_ROOT, ortBinaryDir } = require('./lib/targets');

const DEFAULT_MAX_MB = 40;
const ROOT_PREFIX = 'extension/';
const REPO_ROOT = path.resolve(__dirname, '..', '..');
const ALLOWED_NODE_MODULES = ['node_modules/onnxruntime-node/', 'node_modules/onnxruntime-common/'];
const FORBIDDEN = [
  [/^(test|out|scripts|bench|extension|webview|\.vscode|\.ci|\.github|docs)\//, 'development folder'],
  [/\.map$/, 'source map'],
  [/(^|\/)tsconfig[^/]*\.json$|^esbuild\.config\.mjs$|^\.mocharc/, 'build configuration'],
  [/(?<!\.d)\.ts$/, 'TypeScript source'],
  [/^demo\/report\./, 'locally generated demo report'],
  [/(^|\/)\.policytrace-cache\//, 'audit cache'],
  [/(^|\/)\.(git|env)(\/|$)/, 'repository or secrets file'],
];

function parseArgs(argv) {
  const options = { file: undefined, target: undefined, maxMb: DEFAULT_MAX_MB, list: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--target') options.target = argv[++i];
    else if (argv[i] === '--max-mb') options.maxMb = Number(argv[++i]);
    else if (argv[i] === '--list') options.list = true;
    else options.file = argv[i];
  }
  if (!options.file) throw new Error('usage: check-vsix.js <file.vsix> [--target <platform>] [--max-mb N] [--list]');
  return options;
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(1);

/** Size per top-level folder (two levels inside node_modules), for a readable listing. */
function summarize(files) {
  const groups = new Map();
  for (const file of files) {
    const parts = file.path.split('/');
    const key = parts[0] === 'node_modules' ? parts.slice(0, 2).join('/') : parts.length > 1 ? `${parts[0]}/` : parts[0];
    const group = groups.get(key) || { count: 0, size: 0 };
    group.count++;
    group.size += file.size;
    groups.set(key, group);
  }
  return [...groups].sort((a, b) => b[1].size - a[1].size);
}

function platformsInside(files) {
  const dirs = new Set();
  for (const { path: file } of files) {
    if (!file.startsWith(`${ORT_BIN_ROOT}/`)) continue;
    const [os, arch] = file.slice(ORT_BIN_ROOT.length + 1).split('/');
    dirs.add(`${os}-${arch}`);
  }
  return [...dirs];
}

/** package.json files below a shipped package decide how Node loads its .js ("type"); all must ship. */
function packageJsonsIn(relativeDir) {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
      const child = `${dir}/${entry.name}`;
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(child);
      else if (entry.name === 'package.json') found.push(child);
    }
  };
  if (fs.existsSync(path.join(REPO_ROOT, relativeDir))) walk(relativeDir);
  return found;
}

function manifestTarget(vsix) {
  const manifest = readZipEntry(vsix, 'extension.vsixmanifest').toString('utf8');
  const match = /TargetPlatform="([^"]+)"/.exec(manifest);
  return match ? match[1] : undefined;
}

function check(options) {
  const problems = [];
  const vsixBytes = fs.statSync(options.file).size;
  const entries = listZip(options.file);
  const files = entries
    .filter((e) => e.name.startsWith(ROOT_PREFIX) && !e.name.endsWith('/'))
    .map((e) => ({ path: e.name.slice(ROOT_PREFIX.length), size: e.size }));
  const paths = new Set(files.map((f) => f.path));

  if (vsixBytes > options.maxMb * 1024 * 1024) problems.push(`size ${mb(vsixBytes)} MB is over the ${options.maxMb} MB limit`);
  const manifestJson = JSON.parse(readZipEntry(options.file, `${ROOT_PREFIX}package.json`).toString('utf8'));
  const main = String(manifestJson.main || '').replace(/^\.\//, '');
  if (!main || !paths.has(main)) problems.push(`the entry point "${manifestJson.main}" is not in the package`);

  const platforms = platformsInside(files);
  if (platforms.length !== 1) problems.push(`expected one platform's onnxruntime binaries, found ${platforms.length}: [${platforms.join(', ')}]`);
  const target = manifestTarget(options.file);
  if (options.target) {
    if (target !== options.target) problems.push(`manifest TargetPlatform is "${target}", expected "${options.target}"`);
    if (!paths.has(`${ortBinaryDir(options.target)}/onnxruntime_binding.node`)) {
      problems.push(`missing ${ortBinaryDir(options.target)}/onnxruntime_binding.node`);
    }
  }
  for (const packageDir of ALLOWED_NODE_MODULES) {
    for (const manifest of packageJsonsIn(packageDir.replace(/\/$/, ''))) {
      if (!paths.has(manifest)) problems.push(`missing ${manifest} (it sets how Node loads the files beside it)`);
    }
  }
  for (const { path: file } of files) {
    if (file.startsWith('node_modules/') && !ALLOWED_NODE_MODULES.some((prefix) => file.startsWith(prefix))) {
      problems.push(`unexpected dependency file ${file} (the bundle should contain it)`);
    }
    for (const [pattern, what] of FORBIDDEN) {
      if (pattern.test(file)) problems.push(`${what} must not ship: ${file}`);
    }
  }
  return { problems, files, vsixBytes, target, platforms };
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  const { problems, files, vsixBytes, target, platforms } = check(options);
  const unpacked = files.reduce((sum, f) => sum + f.size, 0);
  console.log(`${options.file}: ${mb(vsixBytes)} MB (${files.length} files, ${mb(unpacked)} MB unpacked), ` +
    `target ${target || 'none'}, onnxruntime binaries for [${platforms.join(', ')}]`);
  if (options.list) for (const f of files) console.log(`  ${String(f.size).padStart(10)}  ${f.path}`);
  else for (const [group, { count, size }] of summarize(files)) console.log(`  ${mb(size).padStart(6)} MB  ${String(count).padStart(4)} files  ${group}`);
  if (problems.length > 0) {
    console.error(`check-vsix: ${problems.length} problem(s):\n  - ${problems.slice(0, 50).join('\n  - ')}`);
    process.exitCode = 1;
  } else {
    console.log('check-vsix: ok');
  }
}

try {
  main();
} catch (error) {
  console.error(`check-vsix: ${error.message}`);
  process.exitCode = 1;
}
