/**
 * Featurizers turn Examples into model feeds: plain typed arrays (Feeds) that can be posted to the ORT
 * worker thread. `tokens` gives the readable units the model sees, for mining concepts ("contains 'free'").
 */
import type { Example } from '../data/example';
import type { ValueDescription } from '../model/valueTypes';
import type { Feeds } from '../runner/feeds';

export interface Featurizer {
  /** One line for logs and the report, e.g. `word vocab (1000 words, vocab.json) → input int64 [n, 100]`. */
  describe(): string;
  encode(batch: Example[]): Feeds;
  tokens(text: string): string[];
}

export type FeaturizerConfig =
  | {
      kind: 'wordVocab';
      /** Path of a JSON file mapping word → id (or `{ "vocab": {...}, "meta": { "max_len", "pad_id" } }`). */
      vocab?: string;
      /** Sequence length; defaults to the vocab meta `max_len` or the model input's fixed length. */
      length?: number;
      lowercase?: boolean;
      stripPunctuation?: boolean;
      /** Regular expression (JS syntax) the text is split on; default whitespace runs. */
      splitPattern?: string;
      unknownId?: number;
      padId?: number;
      inputName?: string;
      dtype?: 'int64' | 'int32';
    }
  | {
      kind: 'hfTokenizer';
      /** Path of tokenizer.json; default: the checkpoint's, else `tokenizer.json` in baseDir. */
      tokenizer?: string;
      maxLength?: number;
      /** Which of input_ids, attention_mask, token_type_ids the model takes (default: from the model inputs). */
      inputNames?: string[];
    }
  | { kind: 'numeric'; inputName?: string; /** Column names for messages, in Example.numeric order. */ columns?: string[] }
  | { kind: 'strings'; inputName?: string };

/** What a featurizer may learn from its surroundings: where relative paths start, and the model it feeds. */
export interface FeaturizerContext {
  baseDir: string;
  /** Companion files found beside the model (used when the config names none). */
  checkpoint?: { tokenizerPath?: string; vocabPath?: string };
  /** The model's declared inputs: default input names, dtypes and lengths come from them. */
  inputs?: ValueDescription[];
}
