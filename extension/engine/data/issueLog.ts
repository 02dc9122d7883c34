import type { ReadIssue } from './example';

/** Default number of issues kept per file: enough to act on, bounded for a 100 MB file full of bad rows. */
export const DEFAULT_MAX_ISSUES = 200;

/**
 * Collects the problems found while reading one file. Only the first `maxStored` are kept (a broken file
 * can have millions), but every issue is counted so the summary never understates the damage.
 */
export class IssueLog {
  readonly issues: ReadIssue[] = [];
  total = 0;

  constructor(
    private readonly file: string,
    private readonly maxStored: number = DEFAULT_MAX_ISSUES,
  ) {}

  add(line: number, message: string): void {
    this.total++;
    if (this.issues.length < this.maxStored) this.issues.push({ file: this.file, line, message });
  }
}
