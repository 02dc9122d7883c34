#!/usr/bin/env node
'use strict';
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }) on machines
// where desktop VS Code cannot be downloaded: it runs the extension tests in code-server (the real VS Code
// workbench and extension host, version 1.139.1) opened by headless Chromium, streams the test output to
// stdout and exits with the tests' exit code. Runs on Node 20; code-server itself runs on its own Node 24.
//
// Environment: POLICYTRACE_HOST_TIMEOUT_MS (default 600000) bounds the whole run; on failure or timeout a
// screenshot and the workbench logs go to .vscode-test/vscode-host-failure/ (override with
// POLICYTRACE_HOST_ARTIFACTS).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');
const { parseLauncherArgs } = require('./lib/args');
const { makeStateDirs, writeUserSettings, startCodeServer, workbenchUrl, remoteUri } = require('./lib/codeServer');
const { launchChromium } = require('./lib/browser');
const { killGroupNow } = require('./lib/processGroup');

const TIMEOUT_MS = Number(process.env.POLICYTRACE_HOST_TIMEOUT_MS || 600_000);
const EXIT_TIMEOUT = 124;
const EXIT_LAUNCHER_ERROR = 2;
const ARTIFACTS_DIR = path.resolve(process.env.POLICYTRACE_HOST_ARTIFACTS || '.vscode-test/vscode-host-failure');

const say = (message) => process.stdout.write(`[vscode-host] ${message}\n`);

/** Everything started so far, so that every exit path (normal, error, timeout, signal) can stop it. */
const running = { server: undefined, chrome: undefined, stateRoot: undefined };

/** What the failure artefacts are made of; filled in as the run goes. */
const evidence = { page: undefined, serverLog: undefined, workbenchLogs: [], pageErrors: [], consoleLines: [] };

async function stopAll() {
  const { server, chrome, stateRoot } = running;
  running.server = running.chrome = running.stateRoot = undefined;
  if (chrome) await chrome.close();
  if (server) await server.stop();
  if (stateRoot) fs.rmSync(stateRoot, { recursive: true, force: true });
}

// The workbench's own start-up chatter arrives through the same channel as the tests' output, at the same
// levels; these prefixes (code-server 4.139.1) are hidden unless POLICYTRACE_HOST_VERBOSE=1. On failure the
// full console goes to the artefacts folder.
const VERBOSE = process.env.POLICYTRACE_HOST_VERBOSE === '1';
const WORKBENCH_NOISE = [
  'Resolving connection token',
  'Resolved connection token',
  'Creating a socket',
  '[reconnection-grace-time]',
  'Creation of workbench contribution',
  'Ignoring fetching additional builtin extensions',
  'Updating additional builtin extensions cache',
  '[Service Worker]',
  '[AccountPolicyGate]',
  '[AgentHost',
  "Timed out waiting for authentication provider 'github'",
  'Extension host (Remote) is',
];
const isWorkbenchNoise = (line) => WORKBENCH_NOISE.some((prefix) => line.startsWith(prefix));

/** The workbench hands over console-style arguments ('%s' placeholders included): format them like Node. */
function formatLogArgs(args) {
  return util.format(...(Array.isArray(args) ? args : [args]));
}

function tail(file, lines) {
  if (!fs.existsSync(file)) return '';
  return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

async function saveFailureArtifacts() {
  const { page, serverLog, workbenchLogs, pageErrors, consoleLines } = evidence;
  try {
    fs.rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
    if (serverLog && fs.existsSync(serverLog)) fs.copyFileSync(serverLog, path.join(ARTIFACTS_DIR, 'code-server.log'));
    fs.writeFileSync(path.join(ARTIFACTS_DIR, 'page-errors.log'), pageErrors.join('\n'));
    fs.writeFileSync(path.join(ARTIFACTS_DIR, 'workbench-console.log'), consoleLines.join('\n'));
    for (const log of workbenchLogs) {
      const target = path.join(ARTIFACTS_DIR, 'workbench-logs', String(log.relativePath).replace(/\.\.+/g, '_'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, String(log.contents));
    }
    if (page) await page.screenshot({ path: path.join(ARTIFACTS_DIR, 'workbench.png'), timeout: 10_000 });
    say(`failure artefacts in ${ARTIFACTS_DIR}`);
  } catch (error) {
    say(`could not save all failure artefacts: ${error.message}`);
  }
}

async function runTestsInWorkbench(options) {
  running.stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'policytrace-vscode-host-'));
  const dirs = makeStateDirs(running.stateRoot);
  evidence.serverLog = path.join(running.stateRoot, 'code-server.log');
  writeUserSettings(dirs);

  const started = Date.now();
  running.server = await startCodeServer({ dirs, logFile: evidence.serverLog });
  say(`code-server on ${running.server.origin} (${Date.now() - started} ms)`);
  running.chrome = await launchChromium();
  const page = await running.chrome.browser.newPage({ viewport: { width: 1400, height: 900 } });
  evidence.page = page;
  page.on('pageerror', (error) => evidence.pageErrors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') evidence.pageErrors.push(`console.error: ${message.text()}`);
  });

  let exitCode;
  let reportExit;
  const testsFinished = new Promise((resolve) => {
    reportExit = resolve;
  });
  // The workbench calls these when it runs with --enable-smoke-test-driver: the extension host's console
  // output (mocha's reporter) and, once the tests module's run() settles, the exit code and its logs.
  await page.exposeFunction('codeAutomationLog', (level, args) => {
    const line = formatLogArgs(args);
    evidence.consoleLines.push(`[${level}] ${line}`);
    if (exitCode === undefined && (VERBOSE || !isWorkbenchNoise(line))) process.stdout.write(`${line}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code, logs) => {
    evidence.workbenchLogs = Array.isArray(logs) ? logs : [];
    exitCode = Number(code);
    reportExit(exitCode);
  });

  const payload = [
    ...options.extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', remoteUri(running.server, p)]),
    ['extensionTestsPath', remoteUri(running.server, options.extensionTestsPath)],
  ];
  // Not 'load': the workbench streams hundreds of modules and that event can take minutes on a busy
  // 2-core runner; the tests report through codeAutomationExit whatever the page's load state.
  await page.goto(workbenchUrl(running.server, { folder: options.folder, payload }), {
    waitUntil: 'domcontentloaded',
    timeout: 120_000,
  });
  say(`workbench loaded (${Date.now() - started} ms); running ${options.extensionTestsPath}`);

  const code = await testsFinished;
  say(`tests exited with code ${code} after ${Date.now() - started} ms`);
  return code;
}

/** Runs the tests under the overall timeout; any outcome but a clean 0 leaves failure artefacts. */
async function main() {
  let options;
  try {
    options = parseLauncherArgs(process.argv.slice(2));
  } catch (error) {
    say(`bad arguments: ${error.message}`);
    return EXIT_LAUNCHER_ERROR;
  }

  let timer;
  const timedOut = new Promise((resolve) => {
    timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS);
  });
  const run = runTestsInWorkbench(options);
  run.catch(() => undefined); // after a timeout the run may still reject while we stop it
  let code;
  try {
    const outcome = await Promise.race([run, timedOut]);
    if (outcome === 'timeout') say(`timed out after ${TIMEOUT_MS} ms (no codeAutomationExit from the workbench)`);
    code = outcome === 'timeout' ? EXIT_TIMEOUT : outcome;
  } catch (error) {
    say(`launcher error: ${error.stack || error.message}`);
    code = EXIT_LAUNCHER_ERROR;
  }
  clearTimeout(timer);
  if (code !== 0) {
    if (code === EXIT_TIMEOUT || code === EXIT_LAUNCHER_ERROR) {
      say(`code-server log (tail):\n${tail(evidence.serverLog, 30)}`);
    }
    await saveFailureArtifacts();
  }
  await stopAll();
  return code;
}

// test-electron forwards Ctrl+C as SIGINT; CI runners send SIGTERM. Either way stop both groups first.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    say(`${signal}: stopping code-server and Chromium`);
    stopAll().finally(() => process.exit(130));
  });
}
process.on('exit', () => {
  killGroupNow(running.chrome && running.chrome.pid);
  killGroupNow(running.server && running.server.pid);
});

main().then((code) => process.exit(code));
