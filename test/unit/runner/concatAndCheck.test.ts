import { strict as assert } from 'node:assert';
import { PolicyTraceError } from '../../../extension/engine/errors';
import { concatBatches } from '../../../extension/engine/runner/concat';
import { checkFeeds } from '../../../extension/engine/runner/inputCheck';
import type { TensorMetadata } from '../../../extension/engine/runner/messages';

describe('concatBatches', () => {
  it('joins typed arrays and string tensors along axis 0 in batch order', () => {
    const joined = concatBatches([
      { p: { type: 'float32', dims: [1, 2], data: Float32Array.of(1, 2) }, s: { type: 'string', dims: [1], data: ['a'] } },
      { p: { type: 'float32', dims: [2, 2], data: Float32Array.of(3, 4, 5, 6) }, s: { type: 'string', dims: [2], data: ['b', 'c'] } },
    ]);
    assert.deepEqual(joined['p'], { type: 'float32', dims: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
    assert.deepEqual(joined['s'], { type: 'string', dims: [3], data: ['a', 'b', 'c'] });
    const ints = concatBatches([{ l: { type: 'int64', dims: [1], data: BigInt64Array.of(7n) } }, { l: { type: 'int64', dims: [1], data: BigInt64Array.of(8n) } }]);
    assert.deepEqual(ints['l']?.data, BigInt64Array.of(7n, 8n));
  });

  it('refuses batches whose inner dims differ, naming the output and batch', () => {
    assert.throws(
      () => concatBatches([
        { h: { type: 'float32', dims: [1, 3], data: new Float32Array(3) } },
        { h: { type: 'float32', dims: [1, 4], data: new Float32Array(4) } },
      ]),
      (e: PolicyTraceError) => /output 'h' of batch 1 is float32 \[1,4\] but batch 0 gave float32 \[1,3\]/.test(e.message),
    );
  });
});

describe('checkFeeds', () => {
  const inputs: TensorMetadata[] = [
    { name: 'ids', isTensor: true, type: 'int64', shape: ['batch', 'sequence'] },
    { name: 'mask', isTensor: true, type: 'int64', shape: ['batch', 'sequence'] },
    { name: 'free', isTensor: true, type: 'float32', shape: [] },
  ];
  const ids = (rows: number, cols: number) => ({ type: 'int64' as const, dims: [rows, cols], data: new BigInt64Array(rows * cols) });

  it('accepts consistent symbolic dims and an input with an undeclared shape', () => {
    checkFeeds({ ids: ids(2, 8), mask: ids(2, 8), free: { type: 'float32', dims: [3, 3], data: new Float32Array(9) } }, inputs, 0);
  });

  it('catches one symbolic dim taking two values across inputs', () => {
    assert.throws(
      () => checkFeeds({ ids: ids(2, 8), mask: ids(2, 9), free: { type: 'float32', dims: [1], data: new Float32Array(1) } }, inputs, 4, 'm.onnx'),
      (e: PolicyTraceError) => e.message === "m.onnx: batch 4: input 'mask' has sequence=9 on axis 1 but input 'ids' has sequence=8: got int64 [2, 9], the model expects int64 [batch, sequence]",
    );
  });
});
