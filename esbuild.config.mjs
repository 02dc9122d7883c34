// Two build contexts, as the design card asks: the extension host / CLI / worker (node, cjs) and the
// webview (browser, iife). onnxruntime-node is external because it ships native binaries per platform;
// vscode is provided by the editor at run time.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const hostEntries = {
  extension: 'extension/extension.ts',
  cli: 'extension/cli.ts',
  worker: 'extension/engine/runner/worker.ts',
  auditWorker: 'extension/engine/audit/auditWorker.ts',
};
const host = {
  entryPoints: Object.fromEntries(Object.entries(hostEntries).filter(([, file]) => existsSync(file))),
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode', 'onnxruntime-node'],
  // jsonc-parser's UMD main cannot be bundled (dynamic requires); its ESM build can.
  mainFields: ['module', 'main'],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};
const webview = {
  entryPoints: existsSync('webview/main.ts') ? { webview: 'webview/main.ts' } : {},
  outdir: 'dist',
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const configs = [host, webview].filter((c) => Object.keys(c.entryPoints).length > 0);
if (watch) {
  for (const config of configs) (await esbuild.context(config)).watch();
} else {
  await Promise.all(configs.map((config) => esbuild.build(config)));
}
