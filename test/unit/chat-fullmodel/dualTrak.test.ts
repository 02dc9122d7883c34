/**
 * The dual (Woodbury) TRAK preconditioner against the primal one of attribution/trakProjected.ts on a random
 * Φ with fewer rows than columns: the same λ, the same M v, and g_iᵀ M g_i for every row. Both Grams are
 * float32 ORT Gemms (ΦᵀΦ vs ΦΦᵀ), summed differently, so they agree to ~1e-7 relative: allow 1e-5.
 */
const RELATIVE = 1e-5;
import * as assert from 'node:assert/strict';
import { fitTrakPreconditioner } from '../../../extension/engine/attribution/trakProjected';
import { gaussianArray } from '../../../extension/engine/autodiff/random';
import { fitDualTrak } from '../../../extension/engine/chat/fullModel';

describe('chat-fullmodel: dual-form TRAK', () => {
  it('equals the primal (ΦᵀΦ/n + λI)⁻¹ on M v and on every row\'s self-influence', async () => {
    const rows = 20;
    const dim = 48;
    const phi = Float32Array.from(gaussianArray(rows * dim, 5));
    const v = Float64Array.from(gaussianArray(dim, 6));
    const dual = await fitDualTrak(phi, rows, dim, 0.1);
    const primal = await fitTrakPreconditioner({ blocks: [{ param: 'w', offset: 0, size: dim }], dim, rows, data: phi, labelled: new Uint8Array(rows).fill(1), exampleCount: rows }, 0.1);
    assert.ok(Math.abs(dual.damping - primal.damping) <= RELATIVE * primal.damping, `${dual.damping} vs ${primal.damping}`);
    const a = dual.apply(v);
    const b = primal.apply(v);
    const scale = Math.max(...b.map(Math.abs));
    for (let k = 0; k < dim; k++) assert.ok(Math.abs(a[k] - b[k]) <= RELATIVE * scale, `M v [${k}]: ${a[k]} vs ${b[k]}`);
    const self = dual.selfInfluence();
    for (let i = 0; i < rows; i++) {
      const g = Float64Array.from(phi.subarray(i * dim, (i + 1) * dim));
      const expected = primal.apply(g).reduce((sum, value, k) => sum + value * g[k], 0);
      assert.ok(Math.abs(self[i] - expected) <= RELATIVE * expected, `row ${i}: ${self[i]} vs ${expected}`);
    }
  });
});
