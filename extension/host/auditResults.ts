/** The results the editor shows: one report, where its relative paths resolve, and whether it is stale. */
import * as path from 'node:path';
import type { AuditReport } from '../engine/report/schema';
import { resolveReportPath } from './pathGuard';

export interface AuditResults {
  report: AuditReport;
  /** Folder that relative paths in the report resolve against. */
  baseDir: string;
  specPath?: string;
  /** Where the results came from: an audit run here, or a report file opened by the user. */
  source: 'audit' | 'file';
  stale: boolean;
  staleReason?: string;
}

export function makeResults(report: AuditReport, source: AuditResults['source'], options: { specPath?: string; reportFile?: string }): AuditResults {
  const specPath = options.specPath ?? report.specPath;
  const fallbackDir = options.reportFile ? path.dirname(options.reportFile) : specPath && path.isAbsolute(specPath) ? path.dirname(specPath) : process.cwd();
  const baseDir = report.workspaceRoot && path.isAbsolute(report.workspaceRoot) ? report.workspaceRoot : fallbackDir;
  return { report, baseDir, specPath: specPath ? resolveReportPath(specPath, baseDir) : undefined, source, stale: false };
}

export function resultsPath(results: AuditResults, file: string): string {
  return resolveReportPath(file, results.baseDir);
}

/** Absolute paths of the dataset files the audit read (what a re-audit depends on). */
export function datasetFiles(results: AuditResults): string[] {
  return [...new Set(results.report.datasets.map((d) => resultsPath(results, d.file)))];
}
