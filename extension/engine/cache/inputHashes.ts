/**
 * The key of one record in a cache of per-example vectors: the sha256 of the exact tensors the model sees for it
 * (every input, in input-name order). Editing a line changes its key; a featurizer change changes every key.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import type { FeedTensor, Feeds } from '../runner/feeds';
import { sha256Hex } from './contentHash';

/** Each example's key, encoding `batchSize` examples at a time. */
export function encodedInputHashes(featurizer: Featurizer, examples: Example[], batchSize: number): string[] {
  const hashes: string[] = [];
  for (let start = 0; start < examples.length; start += batchSize) hashes.push(...rowHashes(featurizer.encode(examples.slice(start, start + batchSize))));
  return hashes;
}

/** sha256 of each example's row across every input tensor, in input-name order. */
function rowHashes(feeds: Feeds): string[] {
  const names = Object.keys(feeds).sort();
  const rows = feeds[names[0]]?.dims[0] ?? 0;
  return Array.from({ length: rows }, (_, r) => sha256Hex(names.map((name) => `${name}:${rowText(feeds[name], r)}`).join('\u0000')));
}

function rowText(tensor: FeedTensor, row: number): string {
  const rows = tensor.dims[0] ?? 1;
  const width = tensor.data.length / Math.max(1, rows);
  const shape = tensor.dims.slice(1).join('x');
  if (Array.isArray(tensor.data)) return `${shape}|${JSON.stringify(tensor.data.slice(row * width, (row + 1) * width))}`;
  const view = tensor.data.subarray(row * width, (row + 1) * width);
  return `${tensor.type}|${shape}|${Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64')}`;
}
