/**
 * `npm run bench`: prints one JSON row per measurement. Rows compare quantities measured in the same run
 * (e.g. featurization vs forward on the same model); nothing here asserts a time.
 */
import * as path from 'node:path';
import { auditRow } from './auditRows';
import { smsForwardRow, syntheticForwardRow } from './forwardThroughput';
import { gradientRows } from './gradientRows';
import { plantedRows } from './plantedRows';
import { fullModelRows } from './fullModelRows';
import { chatRows } from './chatRows';
import type { BenchRow } from './row';

const sharedDir = process.env.POLICYTRACE_SHARED ?? path.resolve(__dirname, '../../../shared');

async function main(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '../..');
  const rows: (() => Promise<BenchRow | BenchRow[]>)[] = [
    () => smsForwardRow(sharedDir),
    () => syntheticForwardRow(),
    () => auditRow('audit.sms-demo', path.join(repoRoot, 'demo/policytrace.json')),
    () => gradientRows(repoRoot, sharedDir),
    () => plantedRows(repoRoot),
    () => fullModelRows(repoRoot),
    () => chatRows(repoRoot),
  ];
  for (const row of rows) {
    try {
      const result = await row();
      for (const r of Array.isArray(result) ? result : [result]) process.stdout.write(JSON.stringify(r) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ name: 'error', message: error instanceof Error ? error.message : String(error) }) + '\n');
      process.exitCode = 1;
    }
  }
}

void main();
