/**
 * Tokens of the hypothesis syntax (grammar in hypothesisParser.ts). Every token keeps its 1-based column
 * so parse errors can say exactly where the text went wrong.
 */
import { PolicyTraceError } from '../errors';

export type HypothesisTokenKind = 'string' | 'number' | 'word' | 'op' | 'arrow' | '(' | ')' | 'end';

export interface HypothesisToken {
  kind: HypothesisTokenKind;
  /** Decoded value for strings, the source text otherwise. */
  value: string;
  /** 1-based column of the token's first character. */
  col: number;
}

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
// A hyphen inside a word is fine ("v1-beta"), but "-" before ">" starts the arrow: "x->spam".
const WORD = /[A-Za-z0-9_](?:[A-Za-z0-9_.]|-(?!>))*/y;
const OPERATORS = ['<=', '>=', '==', '!=', '<', '>'];
const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function hypothesisError(index: number, col: number, message: string): PolicyTraceError {
  return new PolicyTraceError(`hypothesis ${index}, col ${col}: ${message}`, {}, 'hypothesis-syntax');
}

export function tokenizeHypothesis(text: string, index: number): HypothesisToken[] {
  const tokens: HypothesisToken[] = [];
  let at = 0;
  while (at < text.length) {
    const ch = text[at];
    const col = at + 1;
    if (/\s/u.test(ch)) {
      at++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch, value: ch, col });
      at++;
    } else if (text.startsWith('->', at)) {
      tokens.push({ kind: 'arrow', value: '->', col });
      at += 2;
    } else if (ch === '"') {
      const { value, end } = readString(text, at, index);
      tokens.push({ kind: 'string', value, col });
      at = end;
    } else {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, at));
      if (op) {
        tokens.push({ kind: 'op', value: op, col });
        at += op.length;
        continue;
      }
      const number = matchAt(NUMBER, text, at);
      const word = matchAt(WORD, text, at);
      // "1" is a number, but "1st" or "v1.2-beta" are words (actions may be such names).
      if (number && (!word || word.length <= number.length)) {
        tokens.push({ kind: 'number', value: number, col });
        at += number.length;
      } else if (word) {
        tokens.push({ kind: 'word', value: word, col });
        at += word.length;
      } else {
        throw hypothesisError(index, col, `unexpected character '${ch}'`);
      }
    }
  }
  tokens.push({ kind: 'end', value: '', col: text.length + 1 });
  return tokens;
}

function matchAt(pattern: RegExp, text: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0];
}

/** A double-quoted string with JSON escapes (\" \\ \/ \b \f \n \r \t \uXXXX). */
function readString(text: string, start: number, index: number): { value: string; end: number } {
  let value = '';
  let at = start + 1;
  while (at < text.length) {
    const ch = text[at];
    if (ch === '"') return { value, end: at + 1 };
    if (ch !== '\\') {
      value += ch;
      at++;
      continue;
    }
    const escape = text[at + 1];
    if (escape === 'u') {
      const hex = text.slice(at + 2, at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw hypothesisError(index, at + 1, 'expected four hex digits after \\u');
      value += String.fromCharCode(parseInt(hex, 16));
      at += 6;
    } else if (escape !== undefined && escape in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[escape];
      at += 2;
    } else {
      throw hypothesisError(index, at + 1, `unknown escape '\\${escape ?? ''}' in string`);
    }
  }
  throw hypothesisError(index, start + 1, 'string is not closed (missing \'"\')');
}
