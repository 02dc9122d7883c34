/**
 * One sentence on a policy's pathway split, for the CLI and the panel (each passes its own number format).
 * The headline is the split over the lines the report lists; the all-lines sums follow, marked as what the
 * largest-gradient lines decide (attribution/pathwaySplit.ts says why).
 */
import type { PolicyAttribution } from './schema';

type Pathways = NonNullable<PolicyAttribution['pathways']>;

function withShares(output: number, feature: number, format: (value: number) => string): string {
  const total = Math.abs(output) + Math.abs(feature);
  const share = (part: number) => (total === 0 ? '–' : `${Math.round((100 * Math.abs(part)) / total)}%`);
  return `output pathway (the head) ${format(output)} (${share(output)}), feature pathway (earlier layers) ${format(feature)} (${share(feature)})`;
}

export function describePathways(pathways: Pathways, format: (value: number) => string): string {
  if (pathways.proponents === undefined) return `Summed over every training line: ${withShares(pathways.output, pathways.feature, format)}.`;
  const all = pathways.allLines ? ` Over every training line: output ${format(pathways.allLines.output)}, feature ${format(pathways.allLines.feature)} (sums the lines with the largest gradients decide).` : '';
  if (pathways.proponents === 0) return `No training line pushes the model toward the policy through all layers.${all}`;
  const listed = pathways.proponents === 1 ? 'the strongest proponent' : `the ${pathways.proponents} strongest proponents`;
  return `Through all layers, ${listed}: ${withShares(pathways.output, pathways.feature, format)}.${all}`;
}
