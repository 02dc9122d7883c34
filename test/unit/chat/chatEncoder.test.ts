import * as assert from 'node:assert/strict';
import { ChatEncoder } from '../../../extension/engine/chat/chatEncoder';
import { DEFAULT_CHAT_TEMPLATE } from '../../../extension/engine/chat/chatTemplate';
import type { ChatMessage } from '../../../extension/engine/chat/types';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { writeWordLevelTokenizer } from './wordLevelTokenizer';

const WORDS = ['the', 'sky', 'is', 'blue', 'green', 'what', 'colour', '?', '.', 'be', 'brief', 'i', 'think'];

function msg(role: ChatMessage['role'], content: string, index: number): ChatMessage {
  return { role, content, index, line: 1, column: 0 };
}

describe('chat/ChatEncoder', () => {
  let encoder: ChatEncoder;
  const id = (token: string): number => encoder.tokenizer.tokenizer.token_to_id(token) as number;

  before(async () => {
    encoder = await ChatEncoder.load(await writeWordLevelTokenizer(WORDS));
  });

  it('renders role token, content tokens and <eos> after assistant turns, scoring assistant content and <eos>', () => {
    const { ids, targetMask, truncated } = encoder.encodeConversation({
      messages: [msg('system', 'Be brief.', 0), msg('user', 'What colour is the sky?', 1), msg('assistant', 'The sky is BLUE.', 2)],
    });
    const expected = ['<system>', 'be', 'brief', '.', '<user>', 'what', 'colour', 'is', 'the', 'sky', '?', '<assistant>', 'the', 'sky', 'is', 'blue', '.', '<eos>'];
    assert.deepEqual(Array.from(ids), expected.map(id));
    assert.deepEqual(Array.from(targetMask), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    assert.equal(truncated, 0);
  });

  it('scores every assistant turn of a multi-turn conversation; unknown words become <unk>', () => {
    const { ids, targetMask } = encoder.encodeConversation({
      messages: [msg('user', 'sky?', 0), msg('assistant', 'blue', 1), msg('user', 'grass?', 2), msg('assistant', 'green', 3)],
    });
    assert.deepEqual(Array.from(ids), ['<user>', 'sky', '?', '<assistant>', 'blue', '<eos>', '<user>', '<unk>', '?', '<assistant>', 'green', '<eos>'].map(id));
    assert.deepEqual(Array.from(targetMask), [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1]);
  });

  it('encodes a prompt and a response like a two-message conversation', () => {
    const prompt = [msg('user', 'I think the sky is green.', 0)];
    const pair = encoder.encodePromptResponse(prompt, 'The sky is blue.');
    const conversation = encoder.encodeConversation({ messages: [...prompt, msg('assistant', 'The sky is blue.', 1)] });
    assert.deepEqual(pair, conversation);
    const generationPrompt = encoder.encodePrompt(prompt);
    assert.deepEqual(Array.from(generationPrompt.ids), Array.from(pair.ids.slice(0, generationPrompt.ids.length)));
    assert.equal(generationPrompt.ids[generationPrompt.ids.length - 1], id('<assistant>'));
  });

  it('left-truncates the prompt to the model length and never cuts the response', () => {
    const short = encoder.withMaxLength(8);
    const prompt = [msg('user', 'What colour is the sky?', 0)];
    const full = encoder.encodePromptResponse(prompt, 'blue.');
    const cut = short.encodePromptResponse(prompt, 'blue.');
    assert.equal(full.ids.length, 11);
    assert.equal(cut.truncated, 3);
    assert.deepEqual(Array.from(cut.ids), Array.from(full.ids.slice(3)));
    assert.deepEqual(Array.from(cut.targetMask), Array.from(full.targetMask.slice(3)));
    assert.throws(
      () => encoder.withMaxLength(4).encodePromptResponse(prompt, 'the sky is blue.', { file: 'probes.jsonl', line: 7 }),
      (error: unknown) => error instanceof PolicyTraceError && /^probes\.jsonl:7: .*the scored answer\(s\) alone need 7 positions/.test(error.message),
    );
    assert.equal(encoder.withMaxLength(4).encodePrompt(prompt, 1).ids.length, 3);
  });

  it('takes the length limit from tokenizer_config.json', async () => {
    const limited = await ChatEncoder.load(await writeWordLevelTokenizer(WORDS, { maxLength: 64 }));
    assert.equal(limited.maxLength, 64);
    assert.equal(encoder.maxLength, undefined);
  });

  it('rejects a template token the tokenizer lacks, naming tokenizer.json and the field', async () => {
    const file = await writeWordLevelTokenizer(WORDS, { specials: ['<pad>', '<unk>', '<user>', '<assistant>', '<eos>'] });
    await assert.rejects(ChatEncoder.load(file), (error: unknown) => {
      assert.ok(error instanceof PolicyTraceError);
      assert.ok(error.message.startsWith(`${file}, field template.roleTokens.system: `), error.message);
      assert.match(error.message, /"<system>" is not in tokenizer\.json/);
      return true;
    });
    const custom = { ...DEFAULT_CHAT_TEMPLATE, roleTokens: { ...DEFAULT_CHAT_TEMPLATE.roleTokens, system: '<user>' } };
    const loaded = await ChatEncoder.load(file, { template: custom });
    assert.equal(loaded.ids.roles.system, loaded.ids.roles.user);
  });

  it('decodes ids without the special tokens', () => {
    const { ids } = encoder.encodePromptResponse([msg('user', 'sky?', 0)], 'The sky is blue.');
    assert.equal(encoder.decode(ids.slice(4, 8)), 'the sky is blue');
  });
});
