/**
 * Decides whether the first CSV/TSV row is a header. Explicit `header: true/false` wins. With 'auto':
 * if the field mapping names columns and the first row contains them, it is a header; otherwise the
 * first row is a header when its values look like column names: all present, distinct, not numbers,
 * short, and none of them reappears as a value in the same column of the rows after it (a label such
 * as "ham" repeats down its column; a column name does not).
 */
export const HEADER_SAMPLE_ROWS = 50;
const MAX_HEADER_NAME = 64;

export function decideHeader(first: string[], sample: string[][], option: boolean | 'auto', namedColumns: string[]): boolean {
  if (option !== 'auto') return option;
  if (namedColumns.length > 0) {
    const names = new Set(first);
    if (namedColumns.some((name) => names.has(name))) return true;
  }
  if (!looksLikeNames(first)) return false;
  if (sample.length === 0) return false;
  return first.every((name, column) => !sample.some((row) => row[column] === name));
}

function looksLikeNames(values: string[]): boolean {
  const distinct = new Set(values);
  if (distinct.size !== values.length) return false;
  return values.every((v) => {
    const trimmed = v.trim();
    return trimmed.length > 0 && trimmed.length <= MAX_HEADER_NAME && !Number.isFinite(Number(trimmed));
  });
}
