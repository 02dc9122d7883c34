/**
 * The chat audit with options.gradients = "full" on the sycophancy fixture: every attributed policy gets a
 * `fullModel` section (conversations ranked by influence through every layer, each with its LM-head and
 * earlier-layer shares) and the pathway totals, next to the head-only attribution it keeps.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { runChatAudit } from '../../../extension/engine/audit/chat/runChatAudit';
import { ort } from '../../../extension/engine/autodiff/ort';
import { loadSpec } from '../../../extension/engine/spec/auditSpec';
import { CHAT_FIXTURES, caseReady } from '../chat-lmhead/chatFixture';

describe('chat-fullmodel: chat audit with "gradients": "full"', function () {
  before(function () {
    if (!caseReady('sycophancy')) this.skip();
    ort().env.logLevel = 'error';
  });

  it('adds a full-model section with pathway shares to every attributed policy', async () => {
    const spec = await loadSpec(path.join(CHAT_FIXTURES, 'sycophancy', 'policytrace.json'));
    spec.options = { ...spec.options, gradients: 'full', verify: false };
    const started = performance.now();
    const report = await runChatAudit(spec, { verify: false });
    const attribution = report.attribution ?? [];
    console.log(`      ${attribution.length} policies attributed in ${(performance.now() - started).toFixed(0)} ms`);
    assert.ok(attribution.length > 0, 'no policy was attributed');
    for (const policy of attribution) {
      assert.equal(policy.fullModelFallback, undefined, policy.fullModelFallback);
      const full = policy.fullModel!;
      assert.match(full.method, /full-model LM influence/);
      assert.ok(full.proponents.length > 0 && full.proponents.length <= spec.options.topK);
      for (const line of full.proponents) {
        assert.ok(line.influence > 0 && line.file.endsWith('train.jsonl') && line.line >= 1);
        assert.ok(Math.abs(line.outputPathway + line.featurePathway - line.influence) <= 1e-9 * (1 + Math.abs(line.influence)));
      }
      assert.ok(policy.pathways && Number.isFinite(policy.pathways.output) && Number.isFinite(policy.pathways.feature));
    }
  });
});
