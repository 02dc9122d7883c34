/** Content-addressed cache of per-example vectors: a re-audit after editing one line recomputes that line only. */
export { GradientCache, type CacheStats } from './gradientCache';
export { cacheKey, hashRecord, sha256Hex, stableStringify } from './contentHash';
