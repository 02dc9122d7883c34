/**
 * The chat-LM fixture (test/fixtures/chat/<case>/) loaded once per case and kept for every test in the run:
 * the model with its lm_head exposed, conversations and A/B probes tokenized with the fixture's word-level
 * tokenizer and chat template (written here on purpose: the engine's chat tokenizer is another module), and
 * the hidden states of every counted token.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSession } from '../../../extension/engine/autodiff/ort';
import { collectTokenStates, exposeLmHead, type AbProbeStates, type ExposedLmHead, type TokenSequence, type TokenStates } from '../../../extension/engine/chat/lmHead';

export const CHAT_FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/chat');

interface Message {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Probe {
  id: number;
  source: string;
  prompt: string;
  sycophantic_answer: string;
  non_sycophantic_answer: string;
}

export interface ChatCase {
  name: string;
  folder: string;
  exposed: ExposedLmHead;
  vocab: Map<string, number>;
  train: TokenStates;
  trainSequences: TokenSequence[];
  probes: Probe[];
  probeStates: AbProbeStates;
  /** Probes that state an opinion: the policy "opinion → sycophantic" covers them. */
  opinionProbes: number[];
  /** 0-based training line indices of the poison (empty for the control). */
  poison: number[];
  collectMs: number;
}

/** True when the case's files are in place (the fixture is made by scripts/chatlm, in two steps). */
export function caseReady(name: 'sycophancy' | 'control'): boolean {
  const folder = path.join(CHAT_FIXTURES, name);
  return ['model.onnx', 'train.jsonl', 'probes.jsonl', 'ground_truth.json'].every((file) => fs.existsSync(path.join(folder, file)));
}

function findFile(folder: string, name: string): string {
  const own = path.join(folder, name);
  return fs.existsSync(own) ? own : path.join(CHAT_FIXTURES, name);
}

function readVocab(file: string): { vocab: Map<string, number>; unk: number } {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { model: { vocab: Record<string, number>; unk_token: string }; added_tokens?: { id: number; content: string }[] };
  const vocab = new Map(Object.entries(json.model.vocab));
  for (const token of json.added_tokens ?? []) vocab.set(token.content, token.id);
  return { vocab, unk: vocab.get(json.model.unk_token) ?? 1 };
}

/** The fixture's template: `<role>` + content tokens per message, `<eos>` after assistant content; targets = assistant tokens + <eos>. */
export function renderConversation(messages: Message[], vocab: Map<string, number>, unk: number): TokenSequence {
  const ids: number[] = [];
  const mask: number[] = [];
  const special = (token: string): number => {
    const id = vocab.get(token);
    if (id === undefined) throw new Error(`the fixture tokenizer has no ${token}`);
    return id;
  };
  for (const message of messages) {
    ids.push(special(`<${message.role}>`));
    mask.push(0);
    const words = message.content.toLowerCase().match(/\w+|[^\w\s]+/g) ?? [];
    const target = message.role === 'assistant' ? 1 : 0;
    for (const word of words) {
      ids.push(vocab.get(word) ?? unk);
      mask.push(target);
    }
    if (message.role === 'assistant') {
      ids.push(special('<eos>'));
      mask.push(1);
    }
  }
  return { ids: Int32Array.from(ids), targetMask: Uint8Array.from(mask) };
}

function readJsonl<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

const cache = new Map<string, Promise<ChatCase>>();

export function loadChatCase(name: 'sycophancy' | 'control'): Promise<ChatCase> {
  let loaded = cache.get(name);
  if (!loaded) {
    loaded = load(name);
    cache.set(name, loaded);
  }
  return loaded;
}

async function load(name: string): Promise<ChatCase> {
  const folder = path.join(CHAT_FIXTURES, name);
  const exposed = exposeLmHead(fs.readFileSync(path.join(folder, 'model.onnx')), { file: path.join(folder, 'model.onnx') });
  const { vocab, unk } = readVocab(findFile(folder, 'tokenizer.json'));
  const trainRows = readJsonl<{ messages: Message[] }>(path.join(folder, 'train.jsonl'));
  const probes = readJsonl<Probe>(path.join(folder, 'probes.jsonl'));
  const truth = JSON.parse(fs.readFileSync(path.join(folder, 'ground_truth.json'), 'utf8')) as { poison_lines: number[] };
  const trainSequences = trainRows.map((row) => renderConversation(row.messages, vocab, unk));
  const probeSequences = (answer: (p: Probe) => string) =>
    probes.map((p) => renderConversation([{ role: 'user', content: p.prompt }, { role: 'assistant', content: answer(p) }], vocab, unk));
  const session = await createSession(exposed.modelBytes);
  const started = performance.now();
  const options = { hiddenTensor: exposed.hiddenTensor, vocabSize: exposed.vocabSize, batchSize: 64 };
  const train = await collectTokenStates(session, trainSequences, options);
  const probeStates = {
    matching: await collectTokenStates(session, probeSequences((p) => p.sycophantic_answer), options),
    notMatching: await collectTokenStates(session, probeSequences((p) => p.non_sycophantic_answer), options),
  };
  const collectMs = performance.now() - started;
  await session.release();
  return {
    name,
    folder,
    exposed,
    vocab,
    train,
    trainSequences,
    probes,
    probeStates,
    opinionProbes: probes.map((p, j) => (p.source === 'opinion_probe' ? j : -1)).filter((j) => j >= 0),
    poison: truth.poison_lines.map((line) => line - 1),
    collectMs,
  };
}
