/** Writes a small word-level tokenizer.json shaped like the fixture model's (scripts/chatlm/tokenizer.py). */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const SPECIALS = ['<pad>', '<unk>', '<system>', '<user>', '<assistant>', '<eos>'];

export async function writeWordLevelTokenizer(words: string[], options: { specials?: string[]; maxLength?: number } = {}): Promise<string> {
  const specials = options.specials ?? SPECIALS;
  const vocab: Record<string, number> = {};
  for (const token of [...specials, ...[...new Set(words)].sort()]) vocab[token] = Object.keys(vocab).length;
  const json = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
  };
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-tok-'));
  const file = path.join(dir, 'tokenizer.json');
  await fs.writeFile(file, JSON.stringify(json));
  if (options.maxLength !== undefined) {
    await fs.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ model_max_length: options.maxLength, pad_token: '<pad>' }));
  }
  return file;
}
