'use strict';
// The VS Code Marketplace targets PolicyTrace ships, and where each one's onnxruntime-node native binaries
// live (node_modules/onnxruntime-node/bin/napi-v6/<os>/<arch>/, loaded by its dist/binding.js).
const fs = require('node:fs');
const path = require('node:path');

const ALL_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

const ORT_BIN_ROOT = 'node_modules/onnxruntime-node/bin/napi-v6';

/** `linux-x64` → `node_modules/onnxruntime-node/bin/napi-v6/linux/x64` (relative, forward slashes). */
function ortBinaryDir(target) {
  const [os, arch] = target.split('-');
  return `${ORT_BIN_ROOT}/${os}/${arch}`;
}

/** Whether the installed onnxruntime-node ships a native binding for `target` (1.30 has none for darwin-x64). */
function hasOrtBinaries(root, target) {
  return fs.existsSync(path.join(root, ortBinaryDir(target), 'onnxruntime_binding.node'));
}

module.exports = { ALL_TARGETS, ORT_BIN_ROOT, ortBinaryDir, hasOrtBinaries };
