/**
 * Dataset text is untrusted and shown in many places (panel, hovers, CodeLens, exported reports).
 * Before any of them shows it, it goes through `displaySnippet`: invisible and direction-changing
 * characters become visible markers (a U+202E in a training line must not reverse what the user reads),
 * control characters and newlines are flattened, and very long lines are cut so a 100 KB record cannot
 * freeze a view. Escaping for a specific format (HTML, Markdown) happens after this, in the renderer.
 */

/** Default number of characters shown for one dataset line. */
export const SNIPPET_DISPLAY_LIMIT = 240;

// Bidi embeddings/overrides/isolates, zero-width space/joiners, LRM/RLM/ALM, word joiner and invisible
// operators, BOM, soft hyphen, Mongolian vowel separator.
const INVISIBLE_OR_BIDI = /[\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
// C0 and C1 controls except tab, newline and carriage return (those are handled separately).
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

function codePointLabel(char: string): string {
  return `⟨U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`;
}

/** Makes every invisible or reordering character visible; keeps the rest of the text as is. */
export function revealInvisibles(text: string): string {
  return text.replace(INVISIBLE_OR_BIDI, codePointLabel).replace(CONTROL, codePointLabel);
}

/**
 * One-line, bounded, visible rendering of a dataset string. `limit` counts code points, so a surrogate
 * pair is never split. The result says how much was cut so nobody mistakes a snippet for the record.
 */
export function displaySnippet(text: string, limit: number = SNIPPET_DISPLAY_LIMIT): string {
  const flat = revealInvisibles(text.replace(/\r\n|\r|\n/g, ' ⏎ ').replace(/\t/g, ' '));
  const codePoints = Array.from(flat);
  if (codePoints.length <= limit) return flat;
  return `${codePoints.slice(0, limit).join('')}… (+${codePoints.length - limit} chars)`;
}

/** The file name part of a path, for both separators (the webview has no `path` module). */
export function baseName(filePath: string): string {
  const parts = filePath.split(/[\\/]/);
  return parts[parts.length - 1] || filePath;
}
