/** Packs integer id matrices into the typed arrays onnxruntime wants (int64 as BigInt64Array). */
import type { FeedTensor } from '../runner/feeds';

export type IntDtype = 'int64' | 'int32';

/** `rows` are already padded to `width`. */
export function intTensor(rows: ArrayLike<number>[], width: number, dtype: IntDtype): FeedTensor {
  const dims = [rows.length, width];
  if (dtype === 'int32') {
    const data = new Int32Array(rows.length * width);
    rows.forEach((row, r) => data.set(row, r * width));
    return { type: 'int32', dims, data };
  }
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    for (let c = 0; c < width; c++) data[r * width + c] = BigInt(row[c]);
  });
  return { type: 'int64', dims, data };
}
