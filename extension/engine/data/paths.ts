/**
 * Expands the dataset entries of an audit spec (`data/train.jsonl`, `data/*.jsonl`, `**\/*.csv`) into
 * absolute file paths, with node's fs only (Node 20 has no fs.glob). Supported: `*` and `?` within one
 * path segment, `**` for any number of directories, `{a,b}` alternatives. A pattern without glob
 * characters is returned as is (a missing file is reported later, by the reader, with its name);
 * a glob that matches nothing is an error, because an audit over silently empty data would mislead.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';

/** Directories a `**` never enters unless the pattern names them explicitly. */
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
const GLOB_CHARS = /[*?{]/;

export async function expandDataPaths(patterns: string[], baseDir: string): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    const normalized = pattern.replace(/\\/g, '/');
    if (!GLOB_CHARS.test(normalized)) {
      found.add(path.resolve(baseDir, pattern));
      continue;
    }
    const matches = await expandGlob(normalized, baseDir);
    if (matches.length === 0) {
      throw new PolicyTraceError(`the data pattern "${pattern}" matches no file under ${baseDir}`, { field: 'train' }, 'data.noMatch');
    }
    for (const match of matches) found.add(match);
  }
  return [...found].sort();
}

async function expandGlob(pattern: string, baseDir: string): Promise<string[]> {
  const segments = pattern.split('/');
  const firstGlob = segments.findIndex((s) => GLOB_CHARS.test(s));
  const root = path.resolve(baseDir, segments.slice(0, firstGlob).join('/') || '.');
  const matcher = globToRegExp(segments.slice(firstGlob).join('/'));
  const mentionsSkipped = segments.some((s) => SKIPPED_DIRECTORIES.has(s));
  const out: string[] = [];
  const walk = async (dir: string, relative: string): Promise<void> => {
    let entries;
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch {
      return; // A missing or unreadable directory matches nothing.
    }
    for (const entry of entries) {
      const rel = relative ? `${relative}/${entry.name}` : entry.name;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!mentionsSkipped && SKIPPED_DIRECTORIES.has(entry.name)) continue;
        await walk(full, rel);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && matcher.test(rel)) {
        out.push(full);
      }
    }
  };
  await walk(root, '');
  return out;
}

/** Translates a glob (relative to its root, `/`-separated) to an anchored regular expression. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let inBraces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more directories; a trailing `**` matches everything below.
      const slash = glob[i + 2] === '/';
      source += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') {
      inBraces++;
      source += '(?:';
    } else if (c === '}' && inBraces > 0) {
      inBraces--;
      source += ')';
    } else if (c === ',' && inBraces > 0) source += '|';
    else source += c.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
