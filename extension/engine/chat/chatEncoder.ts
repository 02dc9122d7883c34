/**
 * Renders conversations through the chat template into token ids plus a target mask: 1 at every token the
 * supervised fine-tuning loss counts (each assistant content token and its end-of-turn), 0 elsewhere.
 *
 * Length: when a sequence is longer than the model's maximum positions, the prompt is LEFT-truncated (its
 * oldest tokens dropped, keeping the part nearest the answer); a response is never cut. If the scored
 * tokens alone do not fit, the encoder throws a PolicyTraceError saying how many tokens they need.
 */
import { PolicyTraceError, type ErrorLocation } from '../errors';
import { DEFAULT_CHAT_TEMPLATE, resolveTemplate, type ChatTemplate, type TemplateIds } from './chatTemplate';
import { loadTokenizer, type LoadedTokenizer } from './tokenizerFile';
import type { ChatConversation, ChatMessage } from './types';

export interface EncodedSequence {
  ids: Int32Array;
  /** 1 where the token is scored (assistant content and its end-of-turn). */
  targetMask: Uint8Array;
  /** Prompt tokens dropped from the start to fit `maxLength` (0 when nothing was cut). */
  truncated: number;
}

export interface ChatEncoderOptions {
  template?: ChatTemplate;
  /** The model's maximum positions; default tokenizer_config.json's model_max_length, else no limit. */
  maxLength?: number;
}

/** A prompt to continue: messages without a final answer; `role`/`content` are all that is read. */
export type PromptMessages = readonly Pick<ChatMessage, 'role' | 'content'>[];

export class ChatEncoder {
  private constructor(
    readonly tokenizer: LoadedTokenizer,
    readonly template: ChatTemplate,
    readonly ids: TemplateIds,
    readonly maxLength: number | undefined,
  ) {}

  static async load(tokenizerFile: string, options: ChatEncoderOptions = {}): Promise<ChatEncoder> {
    const tokenizer = await loadTokenizer(tokenizerFile);
    const template = options.template ?? DEFAULT_CHAT_TEMPLATE;
    return new ChatEncoder(tokenizer, template, resolveTemplate(template, tokenizer), options.maxLength ?? tokenizer.modelMaxLength);
  }

  /** A copy with another length limit (the model's, once known). */
  withMaxLength(maxLength: number | undefined): ChatEncoder {
    return new ChatEncoder(this.tokenizer, this.template, this.ids, maxLength);
  }

  /** Content tokens of one message, without any special tokens. */
  contentIds(text: string): number[] {
    const ids = this.tokenizer.tokenizer.encode(text, { add_special_tokens: false }).ids;
    const bad = ids.findIndex((id: number) => !Number.isInteger(id));
    if (bad >= 0) {
      throw new PolicyTraceError(
        `the tokenizer gave no id for token ${bad + 1} of ${JSON.stringify(text.slice(0, 80))} (the vocabulary has no unknown token?)`,
        { file: this.tokenizer.file },
        'chat.tokenizer',
      );
    }
    return ids;
  }

  decode(ids: ArrayLike<number>): string {
    return this.tokenizer.tokenizer.decode(Array.from(ids), { skip_special_tokens: true });
  }

  /** A whole training conversation; every assistant turn is scored. */
  encodeConversation(conversation: Pick<ChatConversation, 'messages'> & { example?: { file: string; line: number } }): EncodedSequence {
    const where: ErrorLocation = conversation.example ? { file: conversation.example.file, line: conversation.example.line } : {};
    const ids: number[] = [];
    const mask: number[] = [];
    for (const message of conversation.messages) this.appendMessage(ids, mask, message.role, message.content);
    return this.fit(ids, mask, where);
  }

  /** The prompt, then the assistant's role token, the response and end-of-turn; only the response and end-of-turn are scored. */
  encodePromptResponse(promptMessages: PromptMessages, response: string, where: ErrorLocation = {}): EncodedSequence {
    const ids: number[] = [];
    const mask: number[] = [];
    for (const message of promptMessages) this.appendMessage(ids, mask, message.role, message.content);
    this.appendMessage(ids, mask, 'assistant', response);
    return this.fit(ids, mask, where);
  }

  /** The prompt and the assistant's role token: what generation continues from. Left-truncated to leave `reserve` positions. */
  encodePrompt(promptMessages: PromptMessages, reserve = 0, where: ErrorLocation = {}): EncodedSequence {
    const ids: number[] = [];
    for (const message of promptMessages) this.appendMessage(ids, [], message.role, message.content);
    ids.push(this.ids.roles.assistant);
    const limit = this.maxLength === undefined ? undefined : this.maxLength - reserve;
    if (limit !== undefined && limit < 1) {
      throw new PolicyTraceError(`no room for a prompt: the model takes ${this.maxLength} positions and ${reserve} are reserved`, where, 'chat.length');
    }
    const truncated = limit !== undefined && ids.length > limit ? ids.length - limit : 0;
    const kept = ids.slice(truncated);
    return { ids: Int32Array.from(kept), targetMask: new Uint8Array(kept.length), truncated };
  }

  private appendMessage(ids: number[], mask: number[], role: ChatMessage['role'], content: string): void {
    const scored = role === 'assistant' ? 1 : 0;
    ids.push(this.ids.roles[role]);
    mask.push(0);
    for (const id of this.contentIds(content)) {
      ids.push(id);
      mask.push(scored);
    }
    if (role === 'assistant') {
      ids.push(this.ids.endOfTurn);
      mask.push(1);
    }
  }

  private fit(ids: number[], mask: number[], where: ErrorLocation): EncodedSequence {
    const limit = this.maxLength;
    let truncated = 0;
    if (limit !== undefined && ids.length > limit) {
      truncated = ids.length - limit;
      // The token before the first scored one must stay: it is the prefix that predicts it.
      const firstScored = mask.indexOf(1);
      if (firstScored >= 0 && firstScored - 1 < truncated) {
        const needed = ids.length - Math.max(0, firstScored - 1);
        throw new PolicyTraceError(
          `sequence of ${ids.length} tokens does not fit the model's ${limit} positions, and cutting the prompt is not ` +
            `enough: the scored answer(s) alone need ${needed} positions (responses are never cut)`,
          where,
          'chat.length',
        );
      }
    }
    return { ids: Int32Array.from(ids.slice(truncated)), targetMask: Uint8Array.from(mask.slice(truncated)), truncated };
  }
}
