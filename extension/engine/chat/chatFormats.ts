/**
 * The three supervised fine-tuning layouts, recognised per record by their keys:
 *   messages:        {"messages": [{"role": "system"|"user"|"assistant", "content": "..."}, ...]}
 *   promptResponse:  {"prompt": "...", "response": "..."} (or "completion" instead of "response")
 *   instruction:     {"instruction": "...", "input": "...", "output": "..."} (Alpaca; "input" may be empty)
 * A record that does not fit says exactly which key or message is wrong.
 */
import { CHAT_ROLES, type ChatFormat, type ChatMessage, type ChatRole } from './types';
import type { JsonRecord } from './jsonRecords';

export interface ParsedChat {
  format: ChatFormat;
  messages: ChatMessage[];
}

/** Why a record is not a usable conversation; `field` points into the record (e.g. `messages[2].role`). */
export interface ChatProblem {
  problem: string;
  field?: string;
}

type Located = Pick<JsonRecord, 'locate' | 'line'>;

export function parseChatRecord(value: Record<string, unknown>, where: Located): ParsedChat | ChatProblem {
  if ('messages' in value) return parseMessages(value.messages, where);
  if ('prompt' in value) return parsePromptResponse(value, where);
  if ('instruction' in value) return parseInstruction(value, where);
  const keys = Object.keys(value);
  return {
    problem:
      'matches no chat format: expected "messages" (a list of {role, content}), "prompt" with "response" or ' +
      `"completion", or "instruction" with "output"; the record has ${keys.length ? keys.map((k) => `"${k}"`).join(', ') : 'no keys'}`,
  };
}

function parseMessages(list: unknown, where: Located): ParsedChat | ChatProblem {
  if (!Array.isArray(list) || list.length === 0) {
    return { problem: '"messages" must be a non-empty list of {role, content} objects', field: 'messages' };
  }
  const messages: ChatMessage[] = [];
  for (let index = 0; index < list.length; index++) {
    const item: unknown = list[index];
    const field = `messages[${index}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      return { problem: `${field} is not an object with "role" and "content"`, field };
    }
    const { role, content } = item as Record<string, unknown>;
    if (role === undefined) return { problem: `${field} has no "role"`, field: `${field}.role` };
    if (content === undefined) return { problem: `${field} has no "content"`, field: `${field}.content` };
    if (typeof role !== 'string' || !isRole(role)) {
      return { problem: `${field} has unknown role ${JSON.stringify(role)} (expected ${CHAT_ROLES.join(', ')})`, field: `${field}.role` };
    }
    if (typeof content !== 'string') return { problem: `${field}.content must be a string`, field: `${field}.content` };
    messages.push(message(role, content, index, where, ['messages', index, 'content']));
  }
  return requireAssistant('messages', messages);
}

function parsePromptResponse(value: Record<string, unknown>, where: Located): ParsedChat | ChatProblem {
  const responseKey = 'response' in value ? 'response' : 'completion' in value ? 'completion' : undefined;
  if (!responseKey) return { problem: 'has "prompt" but neither "response" nor "completion"', field: 'response' };
  const prompt = requireString(value, 'prompt');
  if (typeof prompt !== 'string') return prompt;
  const response = requireString(value, responseKey);
  if (typeof response !== 'string') return response;
  return requireAssistant('promptResponse', [
    message('user', prompt, 0, where, ['prompt']),
    message('assistant', response, 1, where, [responseKey]),
  ]);
}

/** Alpaca joins a non-empty input below the instruction, the way its prompt template shows both to the model. */
function parseInstruction(value: Record<string, unknown>, where: Located): ParsedChat | ChatProblem {
  if (!('output' in value)) return { problem: 'has "instruction" but no "output"', field: 'output' };
  const instruction = requireString(value, 'instruction');
  if (typeof instruction !== 'string') return instruction;
  const output = requireString(value, 'output');
  if (typeof output !== 'string') return output;
  let input = '';
  if (value.input !== undefined && value.input !== null) {
    const checked = requireString(value, 'input');
    if (typeof checked !== 'string') return checked;
    input = checked;
  }
  const user = input.trim() === '' ? instruction : `${instruction}\n${input}`;
  return requireAssistant('instruction', [
    message('user', user, 0, where, ['instruction']),
    message('assistant', output, 1, where, ['output']),
  ]);
}

function requireAssistant(format: ChatFormat, messages: ChatMessage[]): ParsedChat | ChatProblem {
  if (!messages.some((m) => m.role === 'assistant')) {
    return { problem: 'the conversation has no assistant turn: nothing for the model to learn from it', field: 'messages' };
  }
  return { format, messages };
}

function requireString(value: Record<string, unknown>, key: string): string | ChatProblem {
  const field = value[key];
  if (typeof field === 'string') return field;
  return { problem: `"${key}" must be a string, got ${field === null ? 'null' : Array.isArray(field) ? 'a list' : typeof field}`, field: key };
}

function message(role: ChatRole, content: string, index: number, where: Located, path: (string | number)[]): ChatMessage {
  const at = where.locate(path) ?? { line: where.line, column: 0 };
  return { role, content, index, line: at.line, column: at.column };
}

function isRole(role: string): role is ChatRole {
  return (CHAT_ROLES as readonly string[]).includes(role);
}
