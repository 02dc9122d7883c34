/**
 * The preprocessing of small text classifiers trained in plain PyTorch: lower-case, split on whitespace,
 * look each word up in vocab.json (unknown → 0), keep the first L ids, pad with 0 at the end. Every step
 * is configurable because every training script differs a little.
 */
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';
import type { Example } from '../data/example';
import type { Feeds } from '../runner/feeds';
import type { Featurizer, FeaturizerConfig, FeaturizerContext } from './featurizer';
import { intTensor, type IntDtype } from './intFeeds';
import { chooseInputName, findInput, fixedLength } from './modelInputs';
import { loadWordVocab } from './vocabFile';

type WordVocabConfig = Extract<FeaturizerConfig, { kind: 'wordVocab' }>;

const PUNCTUATION = /[\p{P}\p{S}]/gu;

export async function createWordVocabFeaturizer(config: WordVocabConfig, context: FeaturizerContext): Promise<Featurizer> {
  const vocabPath = path.resolve(context.baseDir, config.vocab ?? context.checkpoint?.vocabPath ?? 'vocab.json');
  const vocab = await loadWordVocab(vocabPath);
  const inputName = chooseInputName(config.inputName, context.inputs, 'input', 'inputName');
  const input = findInput(inputName, context.inputs);
  const length = config.length ?? vocab.maxLength ?? fixedLength(input);
  if (length === undefined || !Number.isInteger(length) || length <= 0) {
    throw new PolicyTraceError(
      'the sequence length is not known: set featurizer.length (the vocab file has no meta.max_len and the model input has no fixed length)',
      { file: vocabPath, field: 'featurizer.length' },
      'featurize.length',
    );
  }
  const dtype: IntDtype = config.dtype ?? (input?.type === 'int32' ? 'int32' : 'int64');
  const settings: TokenSettings = {
    lowercase: config.lowercase ?? true,
    stripPunctuation: config.stripPunctuation ?? false,
    split: compileSplit(config.splitPattern, vocabPath),
  };
  const unknownId = config.unknownId ?? vocab.unknownId ?? 0;
  const padId = config.padId ?? vocab.padId ?? 0;
  const tokens = (text: string) => tokenize(text, settings);
  return {
    describe: () =>
      `word vocab (${vocab.ids.size} words, ${path.basename(vocabPath)}; ${settings.lowercase ? 'lower-case, ' : ''}split ${settings.split}` +
      `${settings.stripPunctuation ? ', punctuation stripped' : ''}; unknown → ${unknownId}, pad ${padId}) → ${inputName} ${dtype} [n, ${length}]`,
    tokens,
    encode: (batch: Example[]): Feeds => {
      const rows = batch.map((example) => {
        const ids = new Array<number>(length).fill(padId);
        const words = tokens(example.text);
        for (let i = 0; i < Math.min(length, words.length); i++) ids[i] = vocab.ids.get(words[i]) ?? unknownId;
        return ids;
      });
      return { [inputName]: intTensor(rows, length, dtype) };
    },
  };
}

interface TokenSettings {
  lowercase: boolean;
  stripPunctuation: boolean;
  split: RegExp;
}

/** Like Python's `text.lower().split()`: runs of the separator split, empty pieces are dropped. */
function tokenize(text: string, settings: TokenSettings): string[] {
  let value = settings.lowercase ? text.toLowerCase() : text;
  if (settings.stripPunctuation) value = value.replace(PUNCTUATION, '');
  return value.split(settings.split).filter((word) => word.length > 0);
}

function compileSplit(pattern: string | undefined, file: string): RegExp {
  if (pattern === undefined) return /\s+/u;
  try {
    return new RegExp(pattern, 'u');
  } catch (error) {
    throw new PolicyTraceError(`featurizer.splitPattern is not a valid regular expression: ${(error as Error).message}`, { file, field: 'featurizer.splitPattern' }, 'featurize.split');
  }
}
