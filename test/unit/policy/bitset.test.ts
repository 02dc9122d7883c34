import { strict as assert } from 'node:assert';
import {
  andNot,
  bitIndices,
  bitsetFromIndices,
  countAnd,
  countAnd3,
  fullBitset,
  gatherBits,
  not,
  popcount,
  popcount32,
} from '../../../extension/engine/policy/bitset';

describe('policy/bitset', () => {
  it('counts bits of single words exactly', () => {
    assert.equal(popcount32(0), 0);
    assert.equal(popcount32(0xffffffff), 32);
    assert.equal(popcount32(0x80000001), 2);
    assert.equal(popcount32(0b1011_0110), 5);
  });

  it('keeps the unused tail of the last word clear, so complements count exactly', () => {
    assert.equal(popcount(fullBitset(70)), 70);
    const some = bitsetFromIndices(70, [0, 31, 32, 69]);
    assert.equal(popcount(not(some, 70)), 66);
  });

  it('intersects without allocating and lists set bits in order', () => {
    const a = bitsetFromIndices(100, [1, 5, 40, 64, 99]);
    const b = bitsetFromIndices(100, [5, 40, 41, 99]);
    const c = bitsetFromIndices(100, [40, 99, 3]);
    assert.equal(countAnd(a, b), 3);
    assert.equal(countAnd3(a, b, c), 2);
    assert.deepEqual(bitIndices(andNot(a, b)), [1, 64]);
  });

  it('re-indexes a bitset onto resampled rows, duplicates included', () => {
    const bits = bitsetFromIndices(10, [2, 7]);
    assert.deepEqual(bitIndices(gatherBits(bits, [7, 7, 0, 2, 3])), [0, 1, 3]);
  });
});
