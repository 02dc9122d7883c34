/**
 * The exclusion list: PolicyTrace's own JSON file of training lines the user chose to leave out
 * (`[{file, line, id, reason}]`, the shape the engine's curated export also writes). The user's data
 * files are never edited; this list is. Pure functions, no vscode, unit-tested.
 */
export interface ExclusionEntry {
  /** Path relative to the workspace folder, with forward slashes. */
  file: string;
  line: number;
  id: string;
  reason: string;
}

/** Parses the list; `where` names the file in error messages. An empty or missing file is an empty list. */
export function parseExclusions(text: string, where: string): ExclusionEntry[] {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${where}: the exclusion list is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${where}: the exclusion list must be a JSON array of {file, line, id, reason}`);
  return parsed.map((item, index) => {
    const entry = item as Partial<ExclusionEntry> | null;
    if (!entry || typeof entry.file !== 'string' || typeof entry.line !== 'number' || !Number.isInteger(entry.line) || entry.line < 1) {
      throw new Error(`${where}: entry ${index} must have a string "file" and an integer "line" ≥ 1`);
    }
    return { file: entry.file, line: entry.line, id: typeof entry.id === 'string' ? entry.id : '', reason: typeof entry.reason === 'string' ? entry.reason : '' };
  });
}

/** Adds an entry unless the same file and line are already listed; returns the list and whether it changed. */
export function addExclusion(list: readonly ExclusionEntry[], entry: ExclusionEntry): { list: ExclusionEntry[]; added: boolean } {
  if (list.some((e) => e.file === entry.file && e.line === entry.line)) return { list: [...list], added: false };
  const next = [...list, entry].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { list: next, added: true };
}

export function serializeExclusions(list: readonly ExclusionEntry[]): string {
  return `${JSON.stringify(list, null, 2)}\n`;
}
