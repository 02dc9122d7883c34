'use strict';
// Registers one command. POLICYTRACE_SELFTEST_BREAK=1 deliberately skips the registration, to show that a
// broken command makes the launcher's run fail (exit code != 0) instead of passing silently.
const vscode = require('vscode');

function activate(context) {
  if (process.env.POLICYTRACE_SELFTEST_BREAK === '1') return;
  context.subscriptions.push(vscode.commands.registerCommand('policytraceSelftest.ping', () => 'pong'));
}

module.exports = { activate };
