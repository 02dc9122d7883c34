'use strict';
const assert = require('node:assert/strict');
const vscode = require('vscode');

const EXTENSION_ID = 'policytrace.policytrace-selftest';

describe('launcher self-test (inside VS Code)', () => {
  it('runs in a real VS Code extension host', () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    console.log(`    VS Code ${vscode.version}, uiKind ${vscode.env.uiKind}, node ${process.version}`);
  });

  it('opens the workspace folder given on the command line', () => {
    const folders = vscode.workspace.workspaceFolders || [];
    assert.equal(folders.length, 1);
    assert.equal(folders[0].name, 'workspace');
  });

  it('loads the extension under development and its command', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    await extension.activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('policytraceSelftest.ping'), 'command policytraceSelftest.ping is not registered');
    assert.equal(await vscode.commands.executeCommand('policytraceSelftest.ping'), 'pong');
  });
});
