/**
 * Content hashes that key the cache: a record is identified by its bytes, a cache folder by the model's
 * sha256 and the featurizer configuration, so editing one line invalidates exactly that line.
 */
import { createHash } from 'node:crypto';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hash of one record's exact bytes (use the bytes at Example.byteOffset/byteLength). */
export function hashRecord(bytes: Uint8Array | string): string {
  return sha256Hex(bytes);
}

/** JSON with object keys sorted, so equal configurations always hash equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Key of one cache folder: the model's sha256 plus the featurizer/gradient configuration. */
export function cacheKey(modelSha256: string, featurizerConfig: unknown): string {
  return sha256Hex(`${modelSha256}\u0000${stableStringify(featurizerConfig)}`);
}
