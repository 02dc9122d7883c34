/**
 * Verbosity: the response is longer than `ratio` times a reference answer (e.g. the training data's
 * answer to the same prompt), counted in tokens of the same tokenizer so the two lengths are comparable.
 */
import { PolicyTraceError } from '../../errors';

export const VERBOSITY_LABELS = { verbose: 'verbose', concise: 'concise' } as const;

export function verbosity(
  generatedTokens: ArrayLike<unknown> | number,
  referenceTokens: ArrayLike<unknown> | number,
  ratio = 1.5,
): 'verbose' | 'concise' {
  if (!(ratio > 0) || !Number.isFinite(ratio)) {
    throw new PolicyTraceError(`the verbosity ratio must be a positive number, got ${ratio}`, { field: 'behaviour.ratio' }, 'chat.behaviour');
  }
  const generated = typeof generatedTokens === 'number' ? generatedTokens : generatedTokens.length;
  const reference = typeof referenceTokens === 'number' ? referenceTokens : referenceTokens.length;
  return generated > ratio * reference ? VERBOSITY_LABELS.verbose : VERBOSITY_LABELS.concise;
}
