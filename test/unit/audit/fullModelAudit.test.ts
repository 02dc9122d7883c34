/**
 * Full-model attribution inside a whole audit (options.gradients = "full"): on the six-sentence model each
 * word's policy traces to the only training line that has the word, and the report splits influence into
 * the output (head) and feature pathways.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit } from '../../../extension/engine/audit/runAudit';

const dir = path.resolve(__dirname, '../../../../../shared/external/models/tiny_sentiment_6ex');

describe('audit with full-model gradients', function () {
  this.timeout(120_000);
  it('traces contains("result") to line 3 and contains("great") to line 2, with the pathway split', async () => {
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'policytrace-full-'));
    const specPath = path.join(work, 'policytrace.json');
    await fs.writeFile(
      specPath,
      JSON.stringify({
        checkpoint: path.join(dir, 'sentiment1/network.onnx'),
        featurizer: { kind: 'wordVocab', vocab: path.join(dir, 'sentiment1/vocab.json'), length: 5 },
        train: [path.join(dir, 'train.jsonl')],
        probe: [path.join(dir, 'train.jsonl')],
        fields: { text: 'text', label: 'label', id: 'id' },
        labels: ['negative', 'positive'],
        hypotheses: ['contains("result") -> positive', 'contains("great") -> positive'],
        options: { gradients: 'full', verify: false, bootstrap: 0 },
      }),
    );
    const cacheDir = path.join(work, 'cache');
    const report = await runAudit({ specPath, cacheDir });
    assert.deepEqual([report.gradientCache?.hits, report.gradientCache?.misses], [0, 6], 'a cold cache runs every line');
    // A second audit reads every line's full-model gradients back and reproduces the first audit exactly.
    const again = await runAudit({ specPath, cacheDir });
    assert.deepEqual([again.gradientCache?.hits, again.gradientCache?.misses], [6, 0]);
    assert.deepEqual(again.attribution!.map((a) => a.fullModel), report.attribution!.map((a) => a.fullModel));
    const byRule = (rule: string) => {
      const policy = report.policies!.policies.find((p) => p.origin === 'hypothesis' && p.rule === rule)!;
      return report.attribution!.find((a) => a.policyId === policy.id)!;
    };
    for (const [rule, line] of [['contains("result") -> positive', 3], ['contains("great") -> positive', 2]] as const) {
      const attribution = byRule(rule);
      assert.ok(attribution.fullModel, `${rule}: no full-model attribution`);
      assert.equal(attribution.fullModel.proponents[0].line, line, `${rule}: ${JSON.stringify(attribution.fullModel.proponents.map((p) => [p.line, p.influence]))}`);
      // The headline split runs over exactly the proponents the section lists; the all-lines sums come beside it.
      const pathways = attribution.pathways!;
      const listed = attribution.fullModel.proponents;
      assert.equal(pathways.proponents, listed.length);
      const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * (1 + Math.abs(b));
      assert.ok(near(pathways.output, listed.reduce((sum, p) => sum + p.outputPathway, 0)) && near(pathways.feature, listed.reduce((sum, p) => sum + p.featurePathway, 0)));
      assert.ok(pathways.allLines && Number.isFinite(pathways.allLines.output) && Number.isFinite(pathways.allLines.feature));
      const top = attribution.fullModel.proponents[0];
      assert.ok(Math.abs(top.outputPathway + top.featurePathway - top.influence) <= 1e-6 * Math.abs(top.influence), 'pathways add up to the influence');
    }
  });
});
