import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkPathInsideFolders, resolveReportPath } from '../../../extension/host/pathGuard';
import { validatePanelMessage } from '../../../extension/shared/messages';

describe('panel message validation', () => {
  it('accepts a well-formed openSource message', () => {
    const result = validatePanelMessage({ type: 'openSource', file: '/ws/train.jsonl', line: 3, endLine: 4 });
    assert.deepEqual(result, { ok: true, value: { type: 'openSource', file: '/ws/train.jsonl', line: 3, endLine: 4 } });
  });

  const badShapes: [string, unknown][] = [
    ['null', null],
    ['a string', 'openSource'],
    ['an array', [{ type: 'ready' }]],
    ['no type', { file: '/a', line: 1, endLine: 1 }],
    ['an unknown type', { type: 'eval', code: 'x' }],
    ['a string line', { type: 'openSource', file: '/a', line: '3', endLine: 3 }],
    ['line 0', { type: 'openSource', file: '/a', line: 0, endLine: 1 }],
    ['a fractional line', { type: 'openSource', file: '/a', line: 1.5, endLine: 2 }],
    ['endLine before line', { type: 'openSource', file: '/a', line: 5, endLine: 4 }],
    ['an empty file', { type: 'openSource', file: '', line: 1, endLine: 1 }],
    ['a NUL in the path', { type: 'openSource', file: '/a\0b', line: 1, endLine: 1 }],
    ['an extra field', { type: 'openSource', file: '/a', line: 1, endLine: 1, command: 'rm' }],
    ['a non-string policy id', { type: 'verify', policyId: 7 }],
    ['extra fields on ready', { type: 'ready', html: '<b>' }],
    ['a negative policy count', { type: 'rendered', policyCount: -1 }],
  ];
  for (const [name, message] of badShapes) {
    it(`rejects ${name}`, () => {
      const result = validatePanelMessage(message);
      assert.equal(result.ok, false);
      if (!result.ok) assert.ok(result.reason.length > 0);
    });
  }
});

describe('workspace path guard', () => {
  let root: string;
  let outside: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-ws-'));
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-outside-'));
    fs.writeFileSync(path.join(root, 'train.jsonl'), '{}\n');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'x\n');
    fs.mkdirSync(path.join(root, 'sub'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'sub', 'link.txt'));
  });
  after(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('accepts a file inside a workspace folder', () => {
    const result = checkPathInsideFolders(path.join(root, 'train.jsonl'), [outside + '-other', root]);
    assert.deepEqual(result, { ok: true, value: path.join(root, 'train.jsonl') });
  });
  it('refuses a ".." traversal even when it would land inside', () => {
    const result = checkPathInsideFolders(`${root}/sub/../train.jsonl`, [root]);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /\.\./);
  });
  it('refuses a ".." traversal out of the folder', () => {
    assert.equal(checkPathInsideFolders(`${root}/../../etc/passwd`, [root]).ok, false);
  });
  it('refuses an absolute path elsewhere', () => {
    const result = checkPathInsideFolders(path.join(outside, 'secret.txt'), [root]);
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.reason : '', /outside the workspace/);
  });
  it('refuses a sibling folder whose name starts with the root name', () => {
    assert.equal(checkPathInsideFolders(`${root}-evil/x.jsonl`, [root]).ok, false);
  });
  it('refuses a relative path', () => {
    assert.equal(checkPathInsideFolders('train.jsonl', [root]).ok, false);
  });
  it('refuses a symlink inside the folder that points outside', () => {
    assert.equal(checkPathInsideFolders(path.join(root, 'sub', 'link.txt'), [root]).ok, false);
  });
  it('refuses everything when no folder is open', () => {
    assert.equal(checkPathInsideFolders(path.join(root, 'train.jsonl'), []).ok, false);
  });
  it('resolves relative report paths against the report folder', () => {
    assert.equal(resolveReportPath('workspace/train.jsonl', '/fixtures/editor'), path.resolve('/fixtures/editor/workspace/train.jsonl'));
    assert.equal(resolveReportPath('/abs/x.csv', '/ignored'), path.normalize('/abs/x.csv'));
  });
});
