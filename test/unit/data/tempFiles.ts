/** Test files written byte-exact into a fresh temp folder (CRLF, BOMs and bad bytes must not be normalised by git). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import type { Example } from '../../../extension/engine/data/example';

export class TempFiles {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'policytrace-data-'));

  write(name: string, content: string | Buffer): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, content);
    return file;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The bytes an example points at, read back from its file. */
export function bytesOf(example: Example): Buffer {
  const content = readFileSync(example.file);
  return content.subarray(example.byteOffset, example.byteOffset + example.byteLength);
}

export function assertPointsAt(example: Example, expectedRecordText: string): void {
  assert.equal(bytesOf(example).toString('utf8'), expectedRecordText, `bytes at ${example.file}:${example.line}`);
}

export const EXTERNAL = path.resolve(__dirname, '../../../../../shared/external');
export const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/data');
