/**
 * One call for the audit pipeline: choose the retraining L2 once (or take it), attribute with the same L2 in
 * the Hessian, and attach the retraining verification, so predictions and checks use one objective.
 * For several policies on one head, call chooseRetrainL2 once and pass `l2` to every call.
 */
import type { PolicyAttribution } from '../report/schema';
import { attributionFromScores } from './attribute';
import { chooseRetrainL2 } from './chooseL2';
import { scoreTrainingLines } from './lineScores';
import type { AttributionInput, AttributionOptions } from './types';
import { verifyPolicy, type VerifyOptions } from './verify';

export interface AttributeAndVerifyOptions {
  /** L2 of the head objective for both attribution and retraining. Default: chooseRetrainL2. */
  l2?: number;
  attribution?: Omit<AttributionOptions, 'l2'>;
  /** false skips verification (it costs 7+ exact retrains). */
  verify?: Omit<VerifyOptions, 'l2'> | false;
}

export function attributeAndVerify(input: AttributionInput, options: AttributeAndVerifyOptions = {}): PolicyAttribution {
  const l2 = options.l2 ?? chooseRetrainL2(input.head, input.train, input.probes.features).l2;
  const scores = scoreTrainingLines(input, { ...options.attribution, l2 });
  const attribution = attributionFromScores(input.train, scores, options.attribution);
  if (options.verify !== false) attribution.verification = verifyPolicy(input, scores, { ...options.verify, l2 });
  return attribution;
}
