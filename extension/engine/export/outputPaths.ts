/**
 * Where curated copies go, and the guard that keeps the user's files safe: an output may never be an input
 * file, and the output folder may never be an input file or sit inside one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';

/** Resolves symlinks for paths that exist, so two spellings of one file compare equal. */
export function canonicalPath(target: string): string {
  const absolute = path.resolve(target);
  try {
    return fs.realpathSync(absolute);
  } catch {
    // Not there yet: canonicalise the deepest existing parent and re-append the rest.
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(canonicalPath(parent), path.basename(absolute));
  }
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** The folder all sources share, so outputs mirror their relative layout (and same-named files stay apart). */
export function commonFolder(files: string[]): string {
  const folders = files.map((file) => path.dirname(path.resolve(file)));
  let common = folders[0];
  for (const folder of folders.slice(1)) {
    while (!isInside(folder, common)) common = path.dirname(common);
  }
  return common;
}

/** Maps each source to its output path under outDir (with `rename` applied to the base name) and checks safety. */
export function planOutputs(sources: string[], outDir: string, rename: (base: string) => string = (b) => b): Map<string, string> {
  const root = commonFolder(sources);
  const canonicalOut = canonicalPath(outDir);
  const canonicalSources = new Set(sources.map(canonicalPath));
  for (const source of canonicalSources) {
    if (isInside(canonicalOut, source)) {
      throw new PolicyTraceError(`output folder ${outDir} is (inside) an input file; choose another folder`, { file: source }, 'export');
    }
  }
  const plan = new Map<string, string>();
  for (const source of sources) {
    const relative = path.relative(root, path.resolve(source));
    const output = path.join(path.resolve(outDir), path.dirname(relative), rename(path.basename(relative)));
    if (canonicalSources.has(canonicalPath(output))) {
      throw new PolicyTraceError(
        `the curated copy would overwrite the input file ${source}; choose an output folder outside the data folder`,
        { file: source },
        'export',
      );
    }
    plan.set(source, output);
  }
  return plan;
}
