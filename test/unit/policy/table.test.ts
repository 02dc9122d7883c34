import { strict as assert } from 'node:assert';
import { formatPolicyTable } from '../../../extension/engine/policy';
import type { PolicySet } from '../../../extension/engine/report/schema';

const SET: PolicySet = {
  fidelity: 0.9731,
  kappa: 0.9112,
  defaultAction: 'ham',
  probeCount: 1000,
  heldOutCount: 300,
  policies: [
    {
      id: 'policy-1',
      rule: 'contains("free") -> spam',
      conditions: ['contains("free")'],
      action: 'spam',
      origin: 'extracted',
      metrics: { precision: 0.98, coverage: 0.25, support: 75, meanMargin: 2.345, adherence: 0.98, trainLabelPrecision: 0.5, stability: 0.95 },
    },
    {
      id: 'policy-2',
      rule: 'count("!") >= 2 and len_chars > 200 -> spam',
      conditions: ['count("!") >= 2', 'len_chars > 200'],
      action: 'spam',
      origin: 'extracted',
      metrics: { precision: 1, coverage: 0.1, support: 30, meanMargin: -0.5, adherence: 1 },
    },
  ],
};

describe('policy/formatPolicyTable', () => {
  it('prints a fixed-width table with a header line and one row per rule', () => {
    const lines = formatPolicyTable(SET).split('\n');
    assert.equal(lines[0], "Policies: fidelity 97.3%, Cohen's kappa 0.911 on 300 held-out of 1000 probes; default action: ham");
    assert.match(lines[1], /^#\s+rule\s+precision\s+coverage\s+support\s+margin\s+train labels\s+stability\s+flips$/);
    assert.match(lines[3], /^1\s+contains\("free"\) -> spam\s+98\.0%\s+25\.0%\s+75\s+2\.35\s+50\.0%\s+95\.0%\s+-$/);
    assert.match(lines[4], /^2\s+count\("!"\) >= 2 and len_chars > 200 -> spam\s+100\.0%\s+10\.0%\s+30\s+-0\.50\s+-\s+-\s+-$/);
    // Right-aligned numeric columns end at the same offset on every row.
    assert.equal(lines[3].indexOf('98.0%') + 5, lines[4].indexOf('100.0%') + 6);
  });

  it('says so when no rule was found', () => {
    assert.match(formatPolicyTable({ ...SET, policies: [] }), /No rule beat the default with confidence\.$/);
  });
});
