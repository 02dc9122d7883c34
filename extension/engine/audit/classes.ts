/**
 * Class names and gold-label ids. The model speaks in output columns; datasets speak in label strings
 * ("spam", "1", "positive"). One place decides how they meet so every stage agrees.
 */
import type { Example } from '../data/example';

/** Spec labels win, then config.json id2label, then the column numbers. */
export function resolveClassNames(specLabels: string[] | undefined, checkpointLabels: string[] | undefined, columns: number): string[] {
  const names = specLabels ?? checkpointLabels;
  if (names && names.length === columns) return names;
  return Array.from({ length: columns }, (_, i) => String(i));
}

/** Exact class-name match first, then a numeric label read as a column index; −1 when neither fits. */
export function labelIndex(label: string | undefined, classes: readonly string[]): number {
  if (label === undefined) return -1;
  const byName = classes.indexOf(label);
  if (byName >= 0) return byName;
  const caseless = classes.findIndex((name) => name.toLowerCase() === label.toLowerCase());
  if (caseless >= 0) return caseless;
  if (/^\d+$/.test(label.trim())) {
    const index = Number(label.trim());
    if (index < classes.length) return index;
  }
  return -1;
}

export function labelIds(examples: readonly Example[], classes: readonly string[]): Int32Array {
  return Int32Array.from(examples, (example) => labelIndex(example.label, classes));
}

/** Distinct gold labels that match no class, for a warning naming them. */
export function unknownLabels(examples: readonly Example[], classes: readonly string[]): string[] {
  const unknown = new Set<string>();
  for (const example of examples) {
    if (example.label !== undefined && labelIndex(example.label, classes) < 0) unknown.add(example.label);
    if (unknown.size >= 10) break;
  }
  return [...unknown];
}
