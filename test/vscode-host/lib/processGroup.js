'use strict';
// Child processes that live in their own process group, so that stopping one also stops everything it
// started (code-server forks its extension host, file watcher and pty host; a plain SIGTERM to the parent
// leaves those alive for seconds and can keep CI waiting on open pipes).
const { spawn } = require('node:child_process');

/** Spawns `command` as the leader of a new process group (setsid via `detached`). */
function spawnGroup(command, args, options) {
  return spawn(command, args, { ...options, detached: true });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone: nothing left to stop.
  }
}

/**
 * Stops the whole group led by `pid`: SIGTERM first so servers can flush logs, SIGKILL after `graceMs`.
 * Resolves once the leader is gone (or after the SIGKILL, which cannot be ignored).
 */
async function stopGroup(pid, graceMs = 1500) {
  if (!pid) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isAlive(pid)) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  signalGroup(pid, 'SIGKILL');
}

/** Last-resort synchronous kill for `process.on('exit')`, where nothing asynchronous runs any more. */
function killGroupNow(pid) {
  if (pid) signalGroup(pid, 'SIGKILL');
}

module.exports = { spawnGroup, stopGroup, killGroupNow };
