/**
 * The units every attribution number is shown in. Adherence is linearised through the logistic-smoothed
 * indicator σ(m) = p(a|x): Δadherence = mean over covered probes of p(1 − p)·Δm. It is additive over lines
 * and groups (a per-probe "does the margin cross 0" count is not, and is ~0 for any single line); it
 * understates the effect on probes the model is very sure about, which verification measures for real.
 */
import type { ScoreScale } from '../report/schema';
import type { PreconditionerKind } from './types';

export interface AttributionScales {
  influence: ScoreScale;
  deltaStrength: ScoreScale;
  deltaAdherence: ScoreScale;
  relativeInfluence: ScoreScale;
}

const PRECONDITIONER_WORDS: Record<PreconditionerKind, string> = {
  exact: 'the exact damped Hessian of the head loss',
  trak: 'a TRAK random-projection Fisher',
  identity: 'a scaled identity (gradient similarity only)',
};

export function attributionScales(kind: PreconditionerKind, trainCount: number, removalShift = 0): AttributionScales {
  const shift = Math.abs(removalShift) >= 1e-6
    ? ` It includes ${removalShift > 0 ? '+' : ''}${removalShift.toPrecision(2)} nats that removing any one line causes through the L2 term, which outweighs the effect of lines the model already fits perfectly.`
    : '';
  return {
    influence: {
      unit: 'influence (nats of mean margin per unit of up-weighting)',
      explanation:
        `Positive means the line pushes the model toward the policy: up-weighting it by ε raises the mean margin ` +
        `by about ε × this value, computed with ${PRECONDITIONER_WORDS[kind]}.`,
    },
    deltaStrength: {
      unit: 'Δ strength if removed (nats of mean margin)',
      explanation:
        `Predicted first-order change of the policy's mean margin log p(a|x) − log(1 − p(a|x)) if this line alone ` +
        `were removed from the ${trainCount} training lines; negative means the line supports the policy, and group ` +
        `values are sums over their lines.${shift}`,
    },
    deltaAdherence: {
      unit: 'Δ adherence if removed (share of covered probes)',
      explanation:
        'Predicted change in the share of covered probes taking the action if the line were removed, linearised ' +
        'through p(a|x) = σ(margin); negative means support, −0.01 is one probe in a hundred, and confident probes ' +
        'make it an underestimate.',
    },
    relativeInfluence: {
      unit: 'relative influence (influence ÷ the line\'s own gradient size, unitless)',
      explanation:
        'Influence divided by √(the line\'s self-influence): positive means the line pushes toward the policy, and the ' +
        'size says how squarely it does so whatever its loss, so a well-fit line that teaches exactly this policy ' +
        'outranks a badly fit line that pushes every policy of its class; lines are listed in this order.',
    },
  };
}
