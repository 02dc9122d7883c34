/**
 * Picks the L2 coefficient for exact retraining so that θ_full (the head refitted on all training lines)
 * reproduces the original head's decisions on the probes. We walk a grid from strong to weak
 * regularisation (each fit warm-starts the next) and keep the strongest λ whose probe agreement is within
 * 0.1 point of the best (ties go to the stronger λ: better conditioned, more stable retrains). On the real
 * SMS head a half-point tolerance picked λ = 0.03 (agreement 0.986) over 0.003 (0.989): too loose.
 */
import { argmax, LinearHead, type Features } from './linearHead';
import { fitHeadTheta, type TrainingFeatures } from './retrain';
import type { HeadWeights } from './types';

export interface L2Choice {
  l2: number;
  /** Share of probes whose decision under θ_full equals the original head's. */
  probeAgreement: number;
  /** Every λ tried with its agreement, strongest first. */
  tried: { l2: number; probeAgreement: number }[];
}

export const DEFAULT_L2_GRID = [1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 3e-4, 1e-4];

function decisions(head: LinearHead, theta: Float64Array, features: Features): Int32Array {
  const count = features.length / head.dim;
  const out = new Int32Array(count);
  const z = new Float64Array(head.classes);
  for (let i = 0; i < count; i++) out[i] = argmax(head.logits(features, i, z, theta));
  return out;
}

/** Share of probes where two parameter vectors of the same head make the same decision. */
export function probeAgreement(head: LinearHead, thetaA: Float64Array, thetaB: Float64Array, probeFeatures: Features): number {
  const a = decisions(head, thetaA, probeFeatures);
  const b = decisions(head, thetaB, probeFeatures);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return a.length > 0 ? same / a.length : 1;
}

export function chooseRetrainL2(
  original: HeadWeights,
  train: TrainingFeatures,
  probeFeatures: Features,
  grid: number[] = DEFAULT_L2_GRID,
): L2Choice {
  const head = LinearHead.fromWeights(original, train.dim);
  const tried: L2Choice['tried'] = [];
  let warm = head;
  for (const l2 of [...grid].sort((a, b) => b - a)) {
    const fit = fitHeadTheta(warm, { features: train.features, labels: train.labels }, { l2, tolerance: 1e-7 });
    tried.push({ l2, probeAgreement: probeAgreement(head, head.theta, fit.theta, probeFeatures) });
    warm = head.withTheta(fit.theta);
  }
  const best = Math.max(...tried.map((t) => t.probeAgreement));
  const chosen = tried.find((t) => t.probeAgreement >= best - 0.001) ?? tried[0];
  return { l2: chosen.l2, probeAgreement: chosen.probeAgreement, tried };
}
