/**
 * attributePolicy: the report-shaped attribution of one policy (proponents, opponents, groups,
 * concentration, method and scales) built from the per-line scores.
 */
import type { AttributedLine, PolicyAttribution } from '../report/schema';
import { snippetOf, sourceRefOf } from '../report/sourceRef';
import { groupScores, rankLines } from './groupScores';
import { scoreTrainingLines, type LineScores } from './lineScores';
import { attributionScales } from './scales';
import type { AttributionInput, AttributionOptions, TrainingSet } from './types';

function attributedLine(train: TrainingSet, scores: LineScores, index: number, snippetChars: number): AttributedLine {
  const example = train.examples[index];
  return {
    ...sourceRefOf(example),
    label: example.label,
    snippet: snippetOf(example.text, snippetChars),
    influence: scores.influence[index],
    deltaStrength: scores.deltaStrength[index],
    deltaAdherence: scores.deltaAdherence[index],
    selfInfluence: scores.selfInfluence(index),
  };
}

/**
 * Share of the total positive influence held by the k most positive lines, next to the uniform share k/n.
 * A policy built by a few lines shows topShare ≫ uniformShare.
 */
export function concentration(influence: Float64Array, labelled: Uint8Array, k: number): PolicyAttribution['concentration'] {
  const positive: number[] = [];
  let count = 0;
  for (let i = 0; i < influence.length; i++) {
    if (!labelled[i]) continue;
    count++;
    if (influence[i] > 0) positive.push(influence[i]);
  }
  positive.sort((a, b) => b - a);
  const total = positive.reduce((sum, value) => sum + value, 0);
  const top = positive.slice(0, k).reduce((sum, value) => sum + value, 0);
  return { k, topShare: total > 0 ? top / total : 0, uniformShare: count > 0 ? Math.min(1, k / count) : 0 };
}

export function attributionFromScores(
  train: TrainingSet,
  scores: LineScores,
  options: AttributionOptions = {},
): PolicyAttribution {
  const topLines = options.topLines ?? 20;
  const snippetChars = options.snippetChars ?? 160;
  const ranked = rankLines(scores.deltaStrength, scores.labelled);
  const proponents = ranked.filter((i) => scores.deltaStrength[i] < 0).slice(0, topLines);
  const opponents = ranked
    .slice()
    .reverse()
    .filter((i) => scores.deltaStrength[i] > 0)
    .slice(0, topLines);
  const { preconditioner } = scores;
  return {
    policyId: scores.policyId,
    method: {
      gradients: 'head',
      preconditioner: preconditioner.kind,
      damping: preconditioner.damping,
      ...(preconditioner.projection !== undefined ? { projection: preconditioner.projection } : {}),
    },
    scales: attributionScales(preconditioner.kind, scores.trainCount),
    proponents: proponents.map((i) => attributedLine(train, scores, i, snippetChars)),
    opponents: opponents.map((i) => attributedLine(train, scores, i, snippetChars)),
    groups: groupScores(train, scores),
    concentration: concentration(scores.influence, scores.labelled, options.concentrationK ?? topLines),
  };
}

export function attributePolicy(input: AttributionInput, options: AttributionOptions = {}): PolicyAttribution {
  return attributionFromScores(input.train, scoreTrainingLines(input, options), options);
}
