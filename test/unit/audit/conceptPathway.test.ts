/**
 * Issue 4's SMS must-show through a whole audit: for `contains("free") -> spam` on the real SMS model, the
 * lines that taught the model what "free" means (influence through its embedding row) are spam lines
 * containing "free" on the supporting side and ham lines containing "free" on the opposing side.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit } from '../../../extension/engine/audit/runAudit';
import { findConceptRows, linesReadingRows, ruleWords } from '../../../extension/engine/attribution/conceptRows';
import { createFeaturizer } from '../../../extension/engine/featurize/createFeaturizer';
import { decodeModel } from '../../../extension/engine/model/onnxProto';

const demo = path.resolve(__dirname, '../../../../demo');

describe('concept pathway: the lines that taught the model what a rule’s words mean', function () {
  this.timeout(300_000);

  it('reads the words of positive contains() conditions only', () => {
    assert.deepEqual(ruleWords(['contains("free entry")', 'not contains("stop")', 'len_tokens > 3', 'contains("FREE")']), ['free', 'entry']);
  });

  it('says why a rule has no concept rows, and which of its words the vocabulary lacks', async () => {
    const model = decodeModel(await fs.readFile(path.join(demo, 'network.onnx')));
    const spec = JSON.parse(await fs.readFile(path.join(demo, 'policytrace.json'), 'utf8')) as { featurizer: Parameters<typeof createFeaturizer>[0] };
    const featurizer = await createFeaturizer(spec.featurizer, demo);
    const both = findConceptRows(model, featurizer, ['free', 'zorblaxian']);
    assert.ok(!('reason' in both));
    assert.deepEqual(both.words, ['free']);
    assert.deepEqual(both.missing, ['zorblaxian']);
    assert.equal(both.rows.length, 1);
    const free = findConceptRows(model, featurizer, ['free']);
    assert.ok(!('reason' in free));
    assert.deepEqual(free.rows, both.rows);
    const none = findConceptRows(model, featurizer, ['zorblaxian']);
    assert.ok('reason' in none);
    assert.match(none.reason, /vocabulary has none of the rule's words \("zorblaxian"/);
    const noWords = findConceptRows(model, featurizer, []);
    assert.ok('reason' in noWords);
    assert.match(noWords.reason, /names no word/);
  });

  it('scores only lines containing the words, unless another node also reads the table (a tied output layer)', async () => {
    const model = decodeModel(await fs.readFile(path.join(demo, 'network.onnx')));
    const spec = JSON.parse(await fs.readFile(path.join(demo, 'policytrace.json'), 'utf8')) as { featurizer: Parameters<typeof createFeaturizer>[0] };
    const featurizer = await createFeaturizer(spec.featurizer, demo);
    // Lines are read through the featurizer's own tokens: this one keeps punctuation, so "free?" is another word.
    const texts = ['Win a FREE prize now', 'see you at lunch', 'free', 'freedom is not free', 'nothing here', 'is it free?'];
    const examples = texts.map((text, i) => ({ id: String(i), file: 'x.jsonl', line: i + 1, endLine: i + 1, byteOffset: 0, byteLength: 0, text, record: {} }));
    const free = findConceptRows(model, featurizer, ['free']);
    assert.ok(!('reason' in free) && free.onlyGathered);
    assert.deepEqual(linesReadingRows(featurizer, examples, free), [0, 2, 3]);
    // The same table read by one more node: other lines may have a gradient on its rows, so all are scored.
    const tied = structuredClone(model);
    tied.graph!.node!.push({ name: 'tied', opType: 'Identity', input: [free.param], output: ['tied_out'] });
    const tiedRows = findConceptRows(tied, featurizer, ['free']);
    assert.ok(!('reason' in tiedRows) && !tiedRows.onlyGathered);
    assert.equal(linesReadingRows(featurizer, examples, tiedRows), null);
  });

  it('SMS contains("free") -> spam: spam lines with "free" support it, ham lines with "free" oppose it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pt-concept-'));
    try {
      const spec = JSON.parse(await fs.readFile(path.join(demo, 'policytrace.json'), 'utf8')) as Record<string, unknown>;
      const absolute = (file: string) => path.join(demo, file);
      const specPath = path.join(dir, 'policytrace.json');
      await fs.writeFile(
        specPath,
        JSON.stringify({
          ...spec,
          $schema: undefined,
          checkpoint: absolute(spec.checkpoint as string),
          featurizer: { ...(spec.featurizer as object), vocab: absolute('vocab.json') },
          train: (spec.train as string[]).map(absolute),
          probe: (spec.probe as string[]).map(absolute),
          options: { gradients: 'full', verify: false, maxRules: 1 },
        }),
      );
      const report = await runAudit({ specPath });
      const policy = report.policies!.policies.find((p) => p.rule === 'contains("free") -> spam')!;
      const concept = report.attribution!.find((a) => a.policyId === policy.id)!.fullModel!.concept!;
      assert.deepEqual(concept.words, ['free']);
      const hasFree = (snippet: string) => /\bfree\b/i.test(snippet);
      const spamWithFree = concept.proponents.filter((l) => l.label === 'spam' && hasFree(l.snippet)).length;
      const hamWithFree = concept.opponents.filter((l) => l.label === 'ham' && hasFree(l.snippet)).length;
      console.log(`      top ${concept.proponents.length} supporters: ${spamWithFree} spam with "free"; top ${concept.opponents.length} opponents: ${hamWithFree} ham with "free"`);
      assert.equal(concept.proponents.length, 20);
      assert.equal(concept.opponents.length, 20);
      assert.ok(spamWithFree >= 18, `${spamWithFree} of 20`);
      assert.ok(hamWithFree >= 18, `${hamWithFree} of 20`);
      assert.ok(concept.scale.explanation.endsWith('.'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
