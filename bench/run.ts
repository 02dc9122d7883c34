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
  const groups: [string, () => Promise<BenchRow | BenchRow[]>][] = [
    ['forward', () => smsForwardRow(sharedDir)],
    ['forward', () => syntheticForwardRow()],
    ['audit', () => auditRow('audit.sms-demo', path.join(repoRoot, 'demo/policytrace.json'))],
    ['featurize', () => gradientRows(repoRoot, sharedDir)],
    ['planted', () => plantedRows(repoRoot)],
    ['full', () => fullModelRows(repoRoot)],
    ['chat', () => chatRows(repoRoot)],
  ];
  // `npm run bench -- full chat` runs only those groups (the whole run takes about 25 minutes on 2 cores).
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !groups.some(([group]) => group === name));
  if (unknown.length > 0) throw new Error(`unknown bench group ${unknown.join(', ')}: use ${[...new Set(groups.map(([g]) => g))].join(', ')}`);
  const rows = groups.filter(([group]) => only.length === 0 || only.includes(group)).map(([, row]) => row);
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
