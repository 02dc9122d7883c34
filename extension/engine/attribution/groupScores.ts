/**
 * Group scores: sums of the per-line first-order removal effects over each group (file, user group field,
 * concept, cluster). First-order effects add, so a group's value is the prediction for removing it whole.
 */
import type { GroupScore } from '../report/schema';
import type { LineScores } from './lineScores';
import type { GroupKey, TrainingSet } from './types';

function keysOf(train: TrainingSet, index: number): GroupKey[] {
  const keys: GroupKey[] = [{ kind: 'file', name: train.examples[index].file }];
  const group = train.examples[index].group;
  const extra = train.groups?.[index] ?? [];
  if (group !== undefined && !extra.some((key) => key.kind === 'group')) keys.push({ kind: 'group', name: group });
  for (const key of extra) if (key.kind !== 'file') keys.push(key);
  return keys;
}

/** Group scores, most supportive (most negative Δstrength) first. */
export function groupScores(train: TrainingSet, scores: LineScores): GroupScore[] {
  const byKey = new Map<string, GroupScore>();
  for (let i = 0; i < scores.labelled.length; i++) {
    if (!scores.labelled[i]) continue;
    for (const key of keysOf(train, i)) {
      const id = `${key.kind}\u0000${key.name}`;
      let entry = byKey.get(id);
      if (!entry) {
        entry = { kind: key.kind, name: key.name, lines: 0, deltaStrength: 0, deltaAdherence: 0 };
        byKey.set(id, entry);
      }
      entry.lines++;
      entry.deltaStrength += scores.deltaStrength[i];
      entry.deltaAdherence += scores.deltaAdherence[i];
    }
  }
  return [...byKey.values()].sort((a, b) => a.deltaStrength - b.deltaStrength || a.name.localeCompare(b.name));
}
