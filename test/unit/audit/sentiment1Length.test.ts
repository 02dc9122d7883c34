/**
 * A real spurious policy in a real model: sentiment1's pad embedding drifted to −1.14, so shorter inputs
 * lean negative (../shared/external/README.md). Over varied-length probes the audit must extract it as a
 * rule with a length condition (a rule describing the list's default action), and the stated hypothesis
 * must hold far above the base rate.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit } from '../../../extension/engine/audit/runAudit';

const dir = path.resolve(__dirname, '../../../../../shared/external/models/tiny_sentiment_6ex');

/** Seeded probes: 1–5 words drawn from the model's own vocabulary. */
async function writeProbes(file: string): Promise<void> {
  const vocab = Object.keys(JSON.parse(await fs.readFile(path.join(dir, 'sentiment1/vocab.json'), 'utf8')) as Record<string, number>).filter((w) => w !== '<pad>' && w !== '<unk>');
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const length = 1 + Math.floor(next() * 5);
    const words = Array.from({ length }, () => vocab[Math.floor(next() * vocab.length)]);
    lines.push(JSON.stringify({ id: `p${i}`, text: words.join(' ') }));
  }
  await fs.writeFile(file, lines.join('\n') + '\n');
}

describe('sentiment1: the short-inputs-lean-negative policy', function () {
  this.timeout(120_000);
  it('is extracted with a length condition and holds as a hypothesis far above the base rate', async () => {
    const work = await fs.mkdtemp(path.join(os.tmpdir(), 'policytrace-s1-'));
    await writeProbes(path.join(work, 'probes.jsonl'));
    await fs.writeFile(
      path.join(work, 'policytrace.json'),
      JSON.stringify({
        checkpoint: path.join(dir, 'sentiment1/network.onnx'),
        featurizer: { kind: 'wordVocab', vocab: path.join(dir, 'sentiment1/vocab.json'), length: 5 },
        train: [path.join(dir, 'train.jsonl')],
        probe: ['probes.jsonl'],
        fields: { text: 'text', label: 'label', id: 'id' },
        labels: ['negative', 'positive'],
        options: { verify: false, bootstrap: 0 },
      }),
    );
    const report = await runAudit({ specPath: path.join(work, 'policytrace.json'), verify: false, hypotheses: ['len_tokens <= 1 -> negative'] });
    const extracted = report.policies!.policies.filter((p) => p.origin === 'extracted');
    const lengthRule = extracted.find((p) => p.action === 'negative' && /len_(tokens|chars) (<|<=) \d+/.test(p.rule));
    assert.ok(lengthRule, `no short → negative rule among: ${extracted.map((p) => p.rule).join(' | ')}`);
    assert.ok(lengthRule.metrics.precision > (lengthRule.metrics.baseRate ?? 1), `${lengthRule.rule}: ${JSON.stringify(lengthRule.metrics)}`);
    const rule = report.policies!.policies.find((p) => p.origin === 'hypothesis')!;
    assert.ok(rule.metrics.precision >= 0.85, `precision ${rule.metrics.precision}`);
    assert.ok(rule.metrics.precision >= (rule.metrics.baseRate ?? 1) + 0.2, `precision ${rule.metrics.precision} vs base rate ${rule.metrics.baseRate}`);
  });
});
