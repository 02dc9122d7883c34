/**
 * On-disk cache of per-example vectors (features or head gradients) keyed by record content hash, one folder
 * per model key (see cacheKey). Layout: `vectors.bin` (rows of little-endian float32) and `index.json`
 * ({version, dim, hashes[], vectorsSha256}: row r belongs to hashes[r]). Both are rewritten whole, each via a
 * temporary file and a rename, on flush. The index carries the vector file's sha256, so a crash between the
 * two renames (or any other damage) is detected on open: a cache is derived data, and one that does not read
 * back consistently is dropped with a warning and rebuilt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';
import { sha256Hex } from './contentHash';

const FORMAT_VERSION = 1;
const INDEX_FILE = 'index.json';
const VECTORS_FILE = 'vectors.bin';

interface IndexFile {
  version: number;
  dim: number;
  hashes: string[];
  vectorsSha256: string;
}

export interface CacheStats {
  hits: number;
  misses: number;
  stored: number;
}

function writeAtomically(target: string, data: Uint8Array | string): void {
  const temporary = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, data);
  fs.renameSync(temporary, target);
}

export class GradientCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, stored: 0 };
  readonly warnings: string[] = [];
  private readonly entries = new Map<string, Float32Array>();
  private dirty = false;

  private constructor(
    readonly folder: string,
    private dim: number | undefined,
  ) {}

  /** Opens (or creates) the cache for `modelKey` under `dir`. */
  static open(dir: string, modelKey: string): GradientCache {
    // Keys that are not plain file names are hashed, so any string is a safe folder name.
    const safeKey = /^[A-Za-z0-9_.-]{1,128}$/.test(modelKey) && !/^\.+$/.test(modelKey) ? modelKey : sha256Hex(modelKey);
    const folder = path.join(dir, safeKey);
    try {
      fs.mkdirSync(folder, { recursive: true });
    } catch (error) {
      throw new PolicyTraceError(`cannot create the cache folder: ${(error as Error).message}`, { file: folder }, 'cache');
    }
    const cache = new GradientCache(folder, undefined);
    cache.load();
    return cache;
  }

  get size(): number {
    return this.entries.size;
  }

  get vectorLength(): number | undefined {
    return this.dim;
  }

  private load(): void {
    const indexPath = path.join(this.folder, INDEX_FILE);
    if (!fs.existsSync(indexPath)) return;
    try {
      const index = JSON.parse(fs.readFileSync(indexPath, 'utf8')) as IndexFile;
      const bytes = fs.readFileSync(path.join(this.folder, VECTORS_FILE));
      if (index.version !== FORMAT_VERSION || !Number.isInteger(index.dim) || !Array.isArray(index.hashes)) {
        throw new Error(`unknown index format (version ${String(index.version)})`);
      }
      if (bytes.length !== index.hashes.length * index.dim * 4 || sha256Hex(bytes) !== index.vectorsSha256) {
        throw new Error(`${VECTORS_FILE} does not match ${INDEX_FILE} (interrupted write?)`);
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      index.hashes.forEach((hash, row) => {
        const vector = new Float32Array(index.dim);
        for (let j = 0; j < index.dim; j++) vector[j] = view.getFloat32((row * index.dim + j) * 4, true);
        this.entries.set(hash, vector);
      });
      this.dim = index.dim;
    } catch (error) {
      this.entries.clear();
      this.warnings.push(`gradient cache in ${this.folder} was unreadable and is rebuilt: ${(error as Error).message}`);
    }
  }

  /** The cached vector of a record, or undefined (counted as a miss). */
  get(recordHash: string): Float32Array | undefined {
    const vector = this.entries.get(recordHash);
    if (vector) this.stats.hits++;
    else this.stats.misses++;
    return vector;
  }

  putMany(items: Iterable<{ recordHash: string; vector: Float32Array }>): void {
    for (const { recordHash, vector } of items) {
      if (this.dim === undefined) this.dim = vector.length;
      if (vector.length !== this.dim) {
        throw new PolicyTraceError(
          `cached vectors have length ${this.dim}, got ${vector.length} for record ${recordHash.slice(0, 12)}; use another model key for another featurizer`,
          { file: this.folder },
          'cache',
        );
      }
      this.entries.set(recordHash, Float32Array.from(vector));
      this.stats.stored++;
      this.dirty = true;
    }
  }

  /** Writes the cache to disk if anything changed. */
  flush(): void {
    if (!this.dirty || this.dim === undefined) return;
    const dim = this.dim;
    const hashes = [...this.entries.keys()];
    const bytes = new Uint8Array(hashes.length * dim * 4);
    const view = new DataView(bytes.buffer);
    hashes.forEach((hash, row) => {
      const vector = this.entries.get(hash)!;
      for (let j = 0; j < dim; j++) view.setFloat32((row * dim + j) * 4, vector[j], true);
    });
    writeAtomically(path.join(this.folder, VECTORS_FILE), bytes);
    const index: IndexFile = { version: FORMAT_VERSION, dim, hashes, vectorsSha256: sha256Hex(bytes) };
    writeAtomically(path.join(this.folder, INDEX_FILE), JSON.stringify(index));
    this.dirty = false;
  }
}
