import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuditCancelledError, AuditClient, AuditFailedError, type AuditProgressEvent } from '../../../extension/engine/audit/AuditClient';
import { FIXTURE_DIR } from './loadFixture';

const client = new AuditClient(path.join(FIXTURE_DIR, 'protocolWorker.js'));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await sleep(20);
  }
}

describe('AuditClient (worker protocol)', () => {
  it('forwards progress in order and resolves with the report', async () => {
    const progress: AuditProgressEvent[] = [];
    const report = await client.run({ specPath: 'ok' }, { onProgress: (p) => progress.push(p) });
    assert.deepEqual(progress.map((p) => p.stage), ['load', 'report']);
    assert.equal(report.schemaVersion, 1);
    assert.equal(report.policies?.policies.length, 3);
  });
  it('rejects with the engine message, code and location', async () => {
    await assert.rejects(client.run({ specPath: 'fail' }), (error: unknown) => {
      assert.ok(error instanceof AuditFailedError);
      assert.equal(error.message, 'train.jsonl:7: missing field text');
      assert.deepEqual(error.location, { file: 'train.jsonl', line: 7 });
      return true;
    });
  });
  it('reports a crashed worker instead of hanging', async () => {
    await assert.rejects(client.run({ specPath: 'crash' }), /audit worker crashed: boom/);
  });
  it('terminates a worker that ignores cancel (blocked in native code)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-cancel-'));
    const marker = path.join(dir, 'alive');
    fs.writeFileSync(marker, '');
    const controller = new AbortController();
    const running = client.run({ specPath: `hang:${marker}` }, { signal: controller.signal, cancelGraceMs: 50 });
    const rejected = assert.rejects(running, AuditCancelledError);
    try {
      await waitFor(() => fs.statSync(marker).size > 0, 20_000);
      const started = Date.now();
      controller.abort();
      await rejected;
      assert.ok(Date.now() - started < 1_000, 'cancel rejects at once');
      // Once terminated, the worker stops appending; allow for a write in flight, then expect no growth.
      await sleep(300);
      const sizeAfterStop = fs.statSync(marker).size;
      await sleep(300);
      assert.equal(fs.statSync(marker).size, sizeAfterStop, 'the worker no longer runs');
    } finally {
      controller.abort(); // never leave a runaway worker behind, even when an assertion failed
      await rejected.catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('rejects at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(client.run({ specPath: 'ok' }, { signal: controller.signal }), AuditCancelledError);
  });
  it('lets a cooperative worker stop by itself', async () => {
    const controller = new AbortController();
    const running = client.run({ specPath: 'cooperative' }, { signal: controller.signal, cancelGraceMs: 5000 });
    await sleep(50);
    controller.abort();
    await assert.rejects(running, AuditCancelledError);
    // (the grace timer terminates it anyway after 5 s if it did not stop, so nothing can leak)
  });
});
