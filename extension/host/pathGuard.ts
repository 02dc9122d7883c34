/**
 * Decides whether a path that came from the webview (untrusted) may be opened: it must be absolute,
 * contain no `..` segment, and — after resolving symlinks where the file exists — lie inside one of the
 * workspace folders. Node only (no vscode) so it is unit-tested without an editor.
 */
import { realpathSync } from 'node:fs';
import * as path from 'node:path';
import type { Validation } from '../shared/messages';

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function realOrSelf(target: string): string {
  try {
    return realpathSync.native(target);
  } catch {
    return target; // a file that does not exist yet cannot be a symlink escape; containment is checked lexically
  }
}

/** Returns the normalised absolute path when it is inside a folder, or why it was refused. */
export function checkPathInsideFolders(file: string, folders: readonly string[]): Validation<string> {
  if (folders.length === 0) return { ok: false, reason: 'no workspace folder is open' };
  if (!path.isAbsolute(file)) return { ok: false, reason: `path is not absolute: ${JSON.stringify(file.slice(0, 200))}` };
  if (file.split(/[\\/]+/).includes('..')) return { ok: false, reason: `path contains "..": ${JSON.stringify(file.slice(0, 200))}` };
  const normalised = path.resolve(file);
  const real = realOrSelf(normalised);
  for (const folder of folders) {
    const root = path.resolve(folder);
    if (isInside(normalised, root) && isInside(real, realOrSelf(root))) return { ok: true, value: normalised };
  }
  return { ok: false, reason: `path is outside the workspace folders: ${JSON.stringify(normalised.slice(0, 200))}` };
}

/** Report paths may be relative (a report written by the CLI in CI): resolve them against the report's base. */
export function resolveReportPath(file: string, baseDir: string): string {
  return path.isAbsolute(file) ? path.normalize(file) : path.resolve(baseDir, file);
}
