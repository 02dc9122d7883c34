/**
 * The chat-LM fixture (test/fixtures/chat/<case>/) as token sequences for full-model attribution: training
 * conversations and both answers of every A/B probe, rendered with the fixture's template (chat-lmhead's
 * renderConversation: assistant tokens and <eos> are targets), plus the poison lines and opinion probes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TokenSequence } from '../../../extension/engine/chat/lmHead';
import { CHAT_FIXTURES, renderConversation, type Probe } from '../chat-lmhead/chatFixture';

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface LmCase {
  name: string;
  modelBytes: Uint8Array;
  train: TokenSequence[];
  probes: { matching: TokenSequence[]; notMatching: TokenSequence[] };
  /** Probes that state an opinion: the policy "opinion → sycophantic" covers them. */
  opinionProbes: number[];
  /** 0-based training line indices of the poison (empty for the control). */
  poison: number[];
}

function readJsonl<T>(file: string): T[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as T);
}

export function loadLmCase(name: 'sycophancy' | 'control'): LmCase {
  const folder = path.join(CHAT_FIXTURES, name);
  const tokenizer = JSON.parse(fs.readFileSync(path.join(folder, 'tokenizer.json'), 'utf8')) as { model: { vocab: Record<string, number>; unk_token: string }; added_tokens?: { id: number; content: string }[] };
  const vocab = new Map(Object.entries(tokenizer.model.vocab));
  for (const token of tokenizer.added_tokens ?? []) vocab.set(token.content, token.id);
  const unk = vocab.get(tokenizer.model.unk_token) ?? 1;
  const train = readJsonl<{ messages: Message[] }>(path.join(folder, 'train.jsonl')).map((row) => renderConversation(row.messages, vocab, unk));
  const probes = readJsonl<Probe>(path.join(folder, 'probes.jsonl'));
  const render = (answer: (p: Probe) => string) => probes.map((p) => renderConversation([{ role: 'user', content: p.prompt }, { role: 'assistant', content: answer(p) }], vocab, unk));
  const truth = JSON.parse(fs.readFileSync(path.join(folder, 'ground_truth.json'), 'utf8')) as { poison_lines: number[] };
  return {
    name,
    modelBytes: fs.readFileSync(path.join(folder, 'model.onnx')),
    train,
    probes: { matching: render((p) => p.sycophantic_answer), notMatching: render((p) => p.non_sycophantic_answer) },
    opinionProbes: probes.map((p, j) => (p.source === 'opinion_probe' ? j : -1)).filter((j) => j >= 0),
    poison: truth.poison_lines.map((line) => line - 1),
  };
}
