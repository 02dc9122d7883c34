import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditReport } from '../../../extension/engine/report/schema';

/** The hand-made report fixture (source tree path, since fixtures are not compiled into out/). */
export const FIXTURE_DIR = path.resolve(__dirname, '../../../../test/fixtures/editor');

export function loadFixtureReport(): AuditReport {
  return JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'fixture-report.json'), 'utf8')) as AuditReport;
}
