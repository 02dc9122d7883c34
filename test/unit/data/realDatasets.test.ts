import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readDataset } from '../../../extension/engine/data/readDataset';
import { assertPointsAt, bytesOf, EXTERNAL } from './tempFiles';

describe('data: the real third-party datasets', () => {
  it('SMS spam JSONL: 5,574 rows with text, label and split', async () => {
    const file = path.join(EXTERNAL, 'models/sms_spam_embedding_mlp/sms_spam_with_split.jsonl');
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label', split: 'split', id: 'row' });
    assert.equal(summary.records, 5574);
    assert.equal(summary.used, 5574);
    assert.equal(summary.issueCount, 0);
    const count = (key: 'label' | 'split', value: string) => examples.filter((e) => e[key] === value).length;
    assert.equal(count('label', 'ham'), 4827);
    assert.equal(count('label', 'spam'), 747);
    assert.equal(count('split', 'train'), 4459);
    assert.equal(count('split', 'test'), 1115);
    assert.equal(examples[4000].line, 4001);
    assert.equal(examples[4000].id, '4000');
    const lines = readFileSync(file, 'utf8').split('\n');
    assertPointsAt(examples[4000], lines[4000]);
    assert.equal(JSON.parse(bytesOf(examples[5573]).toString()).text, examples[5573].text);
  });

  it('SMS spam CSV (BOM, CRLF, quoted messages) agrees with the JSONL conversion', async () => {
    const csv = await readDataset(path.join(EXTERNAL, 'models/sms_spam_embedding_mlp/Spam_SMS.csv'), { text: 'Message', label: 'Class' });
    const jsonl = await readDataset(path.join(EXTERNAL, 'models/sms_spam_embedding_mlp/sms_spam_with_split.jsonl'), { text: 'text', label: 'label' });
    assert.deepEqual(csv.summary.header, ['Class', 'Message']);
    assert.equal(csv.summary.used, 5574);
    assert.deepEqual(csv.examples.map((e) => [e.text, e.label]), jsonl.examples.map((e) => [e.text, e.label]));
    assert.equal(csv.examples[0].line, 2);
    assert.equal(csv.examples[0].byteOffset, 3 + 'Class,Message\r\n'.length);
    assert.ok(bytesOf(csv.examples[0]).toString().startsWith('ham,"Go until jurong point'));
  });

  it('banking77 TSV: quoted newlines keep the record on its first line', async () => {
    const file = path.join(EXTERNAL, 'datasets/banking77/train.tsv');
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label' });
    assert.equal(summary.used, 9003);
    assert.equal(summary.issueCount, 0);
    assert.match(summary.quoting ?? '', /quoted fields span lines/);
    const spanning = examples.filter((e) => e.endLine > e.line);
    assert.ok(spanning.length >= 5, `${spanning.length} records span lines`);
    // Line 273 is `"`, line 274 is `How do I unblock my PIN?"<TAB>pin_blocked` (checked with sed -n 273,274p).
    const pin = examples.find((e) => e.line === 273);
    assert.ok(pin);
    assert.equal(pin.endLine, 274);
    assert.equal(pin.text, '\nHow do I unblock my PIN?');
    assert.equal(pin.label, 'pin_blocked');
    assert.equal(bytesOf(pin).toString(), '"\nHow do I unblock my PIN?"\tpin_blocked');
    const escaped = examples.find((e) => e.line === 43);
    assert.equal(escaped?.text, 'What do I do with my "decline" message on a transfer?');
    // The record after a spanning one starts on the line after its end.
    const next = examples[examples.indexOf(pin) + 1];
    assert.equal(next.line, 275);
  });

  it('toxicity TSV without header: 250 records, quotes literal, same texts as the JSONL conversion', async () => {
    const tsv = await readDataset(path.join(EXTERNAL, 'datasets/toxicity_wikipedia_detox_250/wikipedia-detox-250-line-data.tsv'), { text: '$1', label: '$0' });
    const jsonl = await readDataset(path.join(EXTERNAL, 'datasets/toxicity_wikipedia_detox_250/toxicity.jsonl'), { text: 'text', label: 'label' });
    assert.equal(tsv.summary.header, undefined);
    assert.equal(tsv.summary.used, 250);
    assert.match(tsv.summary.quoting ?? '', /plain TSV/);
    assert.deepEqual(tsv.examples.map((e) => e.line), Array.from({ length: 250 }, (_, i) => i + 1));
    // The conversion trimmed surrounding spaces; otherwise the texts (quotes included) are identical.
    assert.deepEqual(tsv.examples.map((e) => [e.text.trim(), e.label]), jsonl.examples.map((e) => [e.text, e.label]));
    assert.ok(tsv.examples[81].text.startsWith('"==  Inclusion'), 'line 82 keeps its unclosed quote');
  });

  it('SST-2 TSV with header: 67,349 rows', async () => {
    const { summary, examples } = await readDataset(path.join(EXTERNAL, 'datasets/sst2_glue/train.tsv'), { text: 'text', label: 'label' });
    assert.equal(summary.used, 67349);
    assert.deepEqual(summary.header, ['text', 'label']);
    assert.deepEqual(new Set(examples.map((e) => e.label)), new Set(['0', '1']));
  });

  it('the TF-IDF table: 50 numeric columns by header name', async () => {
    const columns = Array.from({ length: 50 }, (_, i) => String(i));
    const { examples, summary } = await readDataset(path.join(EXTERNAL, 'models/sms_spam_rf_tfidf50/train_tfidf.csv'), {
      text: 'label',
      label: 'label',
      numeric: columns,
    });
    assert.equal(summary.used, 4194);
    assert.equal(summary.issueCount, 0);
    assert.equal(examples[0].numeric?.length, 50);
    assert.ok(examples.every((e) => e.numeric?.every(Number.isFinite)));
  });
});
