/**
 * Chat-shaped data: supervised fine-tuning conversations and A/B preference probes, each keeping the exact
 * place every message came from so the editor can jump from a score to the message that earned it.
 */
import type { Example } from '../data/example';

export type ChatRole = 'system' | 'user' | 'assistant';

export const CHAT_ROLES: readonly ChatRole[] = ['system', 'user', 'assistant'];

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** Position of the message in its record (the `messages` array index, or 0/1 for prompt/response records). */
  index: number;
  /**
   * 1-based column, in UTF-16 code units as VS Code counts them, of the opening quote of the JSON string
   * the content came from, on line `line` (the record's own line for JSONL). 0 when the content was not
   * read from a file (a prompt built in code).
   */
  column: number;
  /** 1-based line of that string; equals the record's line for JSONL, differs inside a JSON array file. */
  line: number;
}

export type ChatFormat = 'messages' | 'promptResponse' | 'instruction';

export interface ChatConversation {
  /** Provenance of the whole record; `text` is the user-side text (system + user messages joined by '\n'). */
  example: Example;
  format: ChatFormat;
  messages: ChatMessage[];
}

export type PreferenceFormat = 'sycophancyAb' | 'caa' | 'chosenRejected';

export interface PreferenceProbe {
  /** Provenance of the probe; `text` is the prompt text. */
  example: Example;
  prompt: ChatMessage[];
  /** The answer that shows the behaviour (sycophantic / matching / chosen). */
  matching: string;
  /** The answer that does not (non-sycophantic / not matching / rejected). */
  notMatching: string;
}

/** Names the two A/B outcomes take in reports, e.g. sycophantic / not_sycophantic. */
export interface PreferenceLabels {
  matching: string;
  notMatching: string;
}

/** The user-side text of a conversation: what prompt concepts are mined from. */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages
    .filter((message) => message.role !== 'assistant')
    .map((message) => message.content)
    .join('\n');
}
