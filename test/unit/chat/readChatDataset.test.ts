import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readChatDataset } from '../../../extension/engine/chat/readChatDataset';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { EXTERNAL_DATASETS, FORMAT_FIXTURES } from './paths';

const MIXED = path.join(FORMAT_FIXTURES, 'sft_mixed.jsonl');

describe('chat/readChatDataset', () => {
  it('reads messages, prompt/response, prompt/completion and Alpaca lines from one file', async () => {
    const { conversations } = await readChatDataset(MIXED);
    assert.deepEqual(
      conversations.map((c) => [c.example.line, c.format]),
      [
        [1, 'messages'],
        [2, 'promptResponse'],
        [3, 'promptResponse'],
        [4, 'instruction'],
        [5, 'instruction'],
        [13, 'messages'],
      ],
    );
    const [first, , cafe, alpaca, alpacaNoInput, last] = conversations;
    assert.deepEqual(first.messages.map((m) => m.role), ['system', 'user', 'assistant']);
    assert.equal(first.example.text, 'Be brief.\nI think the moon is cheese. Right?');
    assert.equal(cafe.messages[1].content, 'Tea.');
    assert.equal(alpaca.messages[0].content, 'Translate to French.\nGood morning');
    assert.equal(alpaca.messages[1].content, 'Bonjour');
    assert.equal(alpacaNoInput.messages[0].content, 'Say hi.');
    assert.equal(last.example.id, 'last');
    assert.equal(first.example.id, 'sft_mixed.jsonl:1');
  });

  it('keeps byte provenance and the column where each content string starts', async () => {
    const { conversations } = await readChatDataset(MIXED);
    const raw = await fs.readFile(MIXED);
    const lines = raw.toString('utf8').split('\n');
    for (const conversation of conversations) {
      const { example } = conversation;
      const bytes = raw.subarray(example.byteOffset, example.byteOffset + example.byteLength).toString('utf8');
      assert.equal(bytes, lines[example.line - 1]);
      for (const message of conversation.messages) {
        assert.equal(message.line, example.line);
        const lineText = lines[example.line - 1];
        // The column (1-based, UTF-16) points at the opening quote of the JSON string holding the content.
        const fromColumn = lineText.slice(message.column - 1);
        assert.ok(fromColumn.startsWith('"'), `line ${example.line} col ${message.column}`);
        const literal = JSON.parse(fromColumn.slice(0, closingQuote(fromColumn) + 1)) as string;
        if (conversation.format !== 'instruction' || message.role === 'assistant') assert.equal(literal, message.content);
      }
    }
    const cafe = conversations[2];
    assert.equal(cafe.messages[0].column, '{"prompt": '.length + 1);
    const last = conversations[5];
    assert.deepEqual(last.messages.map((m) => m.index), [0, 1, 2, 3]);
  });

  it('reports each bad line as an issue with its line and reason, and keeps the rest', async () => {
    const { issues } = await readChatDataset(MIXED);
    const byLine = new Map(issues.map((issue) => [issue.line, issue.message]));
    assert.deepEqual([...byLine.keys()], [6, 7, 8, 9, 11, 12]);
    assert.match(byLine.get(6) ?? '', /not valid JSON/);
    assert.match(byLine.get(7) ?? '', /unknown role "bot".*field messages\[0\]\.role/);
    assert.match(byLine.get(8) ?? '', /messages\[0\] has no "content"/);
    assert.match(byLine.get(9) ?? '', /no assistant turn/);
    assert.match(byLine.get(11) ?? '', /matches no chat format.*"text", "label"/);
    assert.match(byLine.get(12) ?? '', /messages\[0\] has no "role"/);
    assert.ok(issues.every((issue) => issue.file === MIXED));
  });

  it('throws a PolicyTraceError naming file, line and field in strict mode', async () => {
    await assert.rejects(readChatDataset(MIXED, { strict: true }), (error: unknown) => {
      assert.ok(error instanceof PolicyTraceError);
      assert.equal(error.location.line, 6);
      assert.ok(error.message.startsWith(`${MIXED}:6: not valid JSON`), error.message);
      return true;
    });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-'));
    const file = path.join(dir, 'role.jsonl');
    await fs.writeFile(file, '{"prompt":"a","response":"b"}\n{"messages":[{"role":"tool","content":"x"}]}\n');
    await assert.rejects(readChatDataset(file, { strict: true }), /role\.jsonl:2, field messages\[0\]\.role: .*unknown role "tool"/);
    await fs.rm(dir, { recursive: true });
  });

  it('reads a JSON array of conversations with each element at its own line', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'chat-'));
    const file = path.join(dir, 'array.json');
    await fs.writeFile(file, '\ufeff[\n  {"prompt": "p1", "response": "r1"},\n  {\n    "prompt": "p2",\n    "completion": "r2"\n  }\n]\n');
    const { conversations, issues } = await readChatDataset(file);
    assert.deepEqual(issues, []);
    assert.deepEqual(conversations.map((c) => [c.example.line, c.example.endLine]), [[2, 2], [3, 6]]);
    assert.deepEqual(conversations[1].messages.map((m) => [m.line, m.column]), [[4, 15], [5, 19]]);
    const raw = await fs.readFile(file);
    const second = conversations[1].example;
    assert.equal(raw.subarray(second.byteOffset, second.byteOffset + second.byteLength).toString().slice(0, 1), '{');
    assert.equal(JSON.parse(raw.subarray(second.byteOffset, second.byteOffset + second.byteLength).toString()).prompt, 'p2');
    await fs.rm(dir, { recursive: true });
  });

  it('reads the real Alpaca seed tasks (instruction/input/output)', async () => {
    const file = path.join(EXTERNAL_DATASETS, 'alpaca_seed_tasks/seed_tasks_alpaca_format.jsonl');
    const { conversations, issues } = await readChatDataset(file);
    assert.equal(conversations.length, 175);
    assert.deepEqual(issues, []);
    assert.ok(conversations.every((c) => c.format === 'instruction'));
    assert.equal(conversations[1].example.id, 'seed_task_1');
    assert.equal(conversations[1].example.text, 'What is the relation between the given pairs?\nNight : Day :: Right : Left');
  });

  it('refuses a missing file with a clear error', async () => {
    await assert.rejects(readChatDataset(path.join(FORMAT_FIXTURES, 'nope.jsonl')), /nope\.jsonl: dataset file not found/);
  });
});

/** Index of the quote closing a JSON string literal that starts at 0. */
function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
