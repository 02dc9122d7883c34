import * as assert from 'node:assert/strict';
import { readDataset } from '../../../extension/engine/data/readDataset';
import { decideHeader } from '../../../extension/engine/data/csvHeader';
import { assertPointsAt, TempFiles } from './tempFiles';

describe('data: CSV/TSV details', () => {
  const temp = new TempFiles();
  after(() => temp.dispose());

  it('a quoted field with a CRLF inside: record keeps its first line, bytes span both lines', async () => {
    const row = '"two\r\nlines, quoted",b';
    const file = temp.write('crlf.csv', `text,label\r\n${row}\r\nplain,c\r\n`);
    const { examples } = await readDataset(file, { text: 'text', label: 'label' });
    assert.deepEqual(examples.map((e) => [e.line, e.endLine, e.text]), [
      [2, 3, 'two\r\nlines, quoted'],
      [4, 4, 'plain'],
    ]);
    assertPointsAt(examples[0], row);
    assertPointsAt(examples[1], 'plain,c');
  });

  it('header option: false reads the first row as data, addressed by $N; true forces a header', async () => {
    const file = temp.write('nohead.csv', 'spam,win a prize\nham,see you later\n');
    const off = await readDataset(file, { text: '$1', label: '$0' }, { header: false });
    assert.deepEqual(off.examples.map((e) => [e.line, e.label, e.text]), [
      [1, 'spam', 'win a prize'],
      [2, 'ham', 'see you later'],
    ]);
    const on = await readDataset(file, { text: 'win a prize' }, { header: true });
    assert.deepEqual(on.examples.map((e) => e.text), ['see you later']);
  });

  it('header auto: names that repeat as values or look like numbers are data, column names are a header', () => {
    assert.equal(decideHeader(['text', 'label'], [['hi', 'a'], ['yo', 'b']], 'auto', []), true);
    assert.equal(decideHeader(['1', 'some text'], [['0', 'other']], 'auto', []), false);
    assert.equal(decideHeader(['ham', 'hello'], [['ham', 'x'], ['spam', 'y']], 'auto', []), false);
    assert.equal(decideHeader(['0', '1', 'label'], [['0.1', '0.2', '1']], 'auto', ['label']), true, 'the mapping names a column in it');
    assert.equal(decideHeader(['a', 'a'], [['x', 'y']], 'auto', []), false, 'duplicate names');
  });

  it('a quote still open after maxRecordBytes is read literally and the following lines are kept', async () => {
    const lines = ['text,label', '"opens and never closes,a', ...Array.from({ length: 30 }, (_, i) => `line ${i},b`)];
    const file = temp.write('stray.csv', `${lines.join('\n')}\n`);
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label' }, { maxRecordBytes: 64 });
    assert.equal(summary.used, 31);
    assert.equal(summary.issueCount, 1);
    assert.match(summary.issues[0].message, /unterminated quote opened on line 2: the quoted field is still open after \d+ bytes/);
    assert.equal(examples[0].text, '"opens and never closes');
    assert.deepEqual(examples.slice(1).map((e) => e.line), Array.from({ length: 30 }, (_, i) => i + 3));
  });

  it('an unreadable (oversized) line inside an open quote ends the quote; both are reported on their own lines', async () => {
    const file = temp.write('oversized_in_quote.csv', `text,label\n"open,a\n${'z'.repeat(100)},b\nok,c\n`);
    const { examples, summary } = await readDataset(file, { text: 'text', label: 'label' }, { maxRecordBytes: 40 });
    assert.deepEqual(examples.map((e) => [e.line, e.text]), [
      [2, '"open'],
      [4, 'ok'],
    ]);
    assert.deepEqual(summary.issues.map((i) => i.line), [2, 3]);
    assert.match(summary.issues[0].message, /unterminated quote opened on line 2: a line inside it could not be read/);
    assert.match(summary.issues[1].message, /record is 102 bytes, over maxRecordBytes \(40\)/);
  });

  it('explicit quote: false treats quotes as text in a TSV', async () => {
    const file = temp.write('q.tsv', 'text\tlabel\n"quoted"\ta\n');
    const { examples } = await readDataset(file, { text: 'text' }, { quote: false });
    assert.equal(examples[0].text, '"quoted"');
    const quoted = await readDataset(file, { text: 'text' });
    assert.equal(quoted.examples[0].text, 'quoted', 'well-formed quotes are honoured by default');
  });
});
