/**
 * The chat template PolicyTrace renders conversations with, as special tokens: for each message its role
 * token then its content tokens, and after every assistant message an end-of-turn token. This is the
 * template the fixture chat model was trained on (scripts/chatlm/tokenizer.py); other models name their
 * role and end tokens differently, hence the configurable names.
 */
import { PolicyTraceError } from '../errors';
import type { ChatRole } from './types';
import type { LoadedTokenizer } from './tokenizerFile';

export interface ChatTemplate {
  /** The special token that opens a message of each role. */
  roleTokens: Record<ChatRole, string>;
  /** Closes every assistant message; generation stops when the model emits it. */
  endOfTurn: string;
  /** Fills batches after the end of a sequence (masked out by attention_mask). */
  pad: string;
}

export const DEFAULT_CHAT_TEMPLATE: ChatTemplate = {
  roleTokens: { system: '<system>', user: '<user>', assistant: '<assistant>' },
  endOfTurn: '<eos>',
  pad: '<pad>',
};

/** The template's tokens as ids in one tokenizer. */
export interface TemplateIds {
  roles: Record<ChatRole, number>;
  endOfTurn: number;
  pad: number;
}

/** Every template token must be a single token of the tokenizer, else the model never saw the template. */
export function resolveTemplate(template: ChatTemplate, tokenizer: LoadedTokenizer): TemplateIds {
  const lookup = (token: string, field: string): number => {
    const id = tokenizer.tokenizer.token_to_id(token);
    if (id === undefined) {
      throw new PolicyTraceError(
        `the chat template's ${field} token ${JSON.stringify(token)} is not in tokenizer.json's vocabulary ` +
          '(set the template to the special tokens this model was trained with)',
        { file: tokenizer.file, field: `template.${field}` },
        'chat.template',
      );
    }
    return id;
  };
  return {
    roles: {
      system: lookup(template.roleTokens.system, 'roleTokens.system'),
      user: lookup(template.roleTokens.user, 'roleTokens.user'),
      assistant: lookup(template.roleTokens.assistant, 'roleTokens.assistant'),
    },
    endOfTurn: lookup(template.endOfTurn, 'endOfTurn'),
    pad: lookup(template.pad, 'pad'),
  };
}
