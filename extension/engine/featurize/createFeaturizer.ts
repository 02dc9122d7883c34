/** Builds the featurizer an audit spec names. */
import { PolicyTraceError } from '../errors';
import type { Featurizer, FeaturizerConfig, FeaturizerContext } from './featurizer';
import { createHfTokenizerFeaturizer } from './hfTokenizerFeaturizer';
import { createNumericFeaturizer } from './numericFeaturizer';
import { createStringFeaturizer } from './stringFeaturizer';
import { createWordVocabFeaturizer } from './wordVocabFeaturizer';

/** `context` is the folder relative paths start from, or that plus the checkpoint and the model's inputs. */
export async function createFeaturizer(config: FeaturizerConfig, context: string | FeaturizerContext): Promise<Featurizer> {
  const resolved: FeaturizerContext = typeof context === 'string' ? { baseDir: context } : context;
  switch (config.kind) {
    case 'wordVocab':
      return createWordVocabFeaturizer(config, resolved);
    case 'hfTokenizer':
      return createHfTokenizerFeaturizer(config, resolved);
    case 'numeric':
      return createNumericFeaturizer(config, resolved);
    case 'strings':
      return createStringFeaturizer(config, resolved);
    default:
      // Reachable from hand-written JSON that skipped spec validation.
      throw new PolicyTraceError(
        `unknown featurizer kind ${JSON.stringify((config as { kind: unknown }).kind)}; use wordVocab, hfTokenizer, numeric or strings`,
        { field: 'featurizer.kind' },
        'featurize.kind',
      );
  }
}
