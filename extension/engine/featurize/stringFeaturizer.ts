/** Models that take raw text (e.g. a StringNormalizer/TfIdfVectorizer pipeline): string tensor [n, 1]. */
import type { Example } from '../data/example';
import type { Feeds } from '../runner/feeds';
import type { Featurizer, FeaturizerConfig, FeaturizerContext } from './featurizer';
import { chooseInputName } from './modelInputs';
import { wordTokens } from './wordTokens';

type StringsConfig = Extract<FeaturizerConfig, { kind: 'strings' }>;

export function createStringFeaturizer(config: StringsConfig, context: FeaturizerContext): Featurizer {
  const inputName = chooseInputName(config.inputName, context.inputs, 'input', 'inputName');
  return {
    describe: () => `raw text → ${inputName} string [n, 1]`,
    tokens: wordTokens,
    encode: (batch: Example[]): Feeds => ({ [inputName]: { type: 'string', dims: [batch.length, 1], data: batch.map((example) => example.text) } }),
  };
}
