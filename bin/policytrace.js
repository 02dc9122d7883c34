#!/usr/bin/env node
// Thin launcher: the CLI is bundled by esbuild into dist/cli.js (`npm run build`).
require('../dist/cli.js');
