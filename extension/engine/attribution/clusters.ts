/**
 * Clusters of similar training lines, so attribution can be summed over "lines like these" as well as over
 * files and source groups. Lines are clustered by the features the head reads (what the model itself treats
 * as similar), L2-normalised so scale does not dominate, with seeded k-means++ and Lloyd iterations. Each
 * cluster is named by its majority label and the words most over-represented in it, which is what a person
 * needs to recognise it.
 */
import { SeededRandom } from '../linalg/rng';

export interface LineClusters {
  /** Cluster index of every line. */
  assignment: Int32Array;
  /** One readable name per cluster. */
  names: string[];
}

export interface ClusterOptions {
  /** Number of clusters; default min(20, max(2, round(√(n/10)))). */
  k?: number;
  seed?: number;
  maxIterations?: number;
}

export function clusterLines(features: Float32Array | Float64Array, dim: number, tokens: string[][], labels: (string | undefined)[], options: ClusterOptions = {}): LineClusters {
  const n = tokens.length;
  const k = Math.max(1, Math.min(n, options.k ?? Math.min(20, Math.max(2, Math.round(Math.sqrt(n / 10))))));
  const points = normalisedRows(features, dim, n);
  const centres = kMeansPlusPlus(points, dim, n, k, new SeededRandom(options.seed ?? 0));
  const assignment = new Int32Array(n);
  for (let iteration = 0; iteration < (options.maxIterations ?? 25); iteration++) {
    let changed = iteration === 0;
    for (let i = 0; i < n; i++) {
      const best = nearest(points, i, centres, dim, k);
      if (best !== assignment[i]) changed = true;
      assignment[i] = best;
    }
    if (!changed) break;
    recomputeCentres(points, assignment, centres, dim, k);
  }
  return { assignment, names: nameClusters(assignment, k, tokens, labels) };
}

function normalisedRows(features: Float32Array | Float64Array, dim: number, n: number): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += features[i * dim + j] ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let j = 0; j < dim; j++) out[i * dim + j] = features[i * dim + j] * scale;
  }
  return out;
}

function squaredDistance(points: Float64Array, i: number, centres: Float64Array, c: number, dim: number): number {
  let sum = 0;
  for (let j = 0; j < dim; j++) sum += (points[i * dim + j] - centres[c * dim + j]) ** 2;
  return sum;
}

function nearest(points: Float64Array, i: number, centres: Float64Array, dim: number, k: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < k; c++) {
    const distance = squaredDistance(points, i, centres, c, dim);
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  return best;
}

/** k-means++: each new centre is drawn with probability ∝ its squared distance to the nearest chosen one. */
function kMeansPlusPlus(points: Float64Array, dim: number, n: number, k: number, random: SeededRandom): Float64Array {
  const centres = new Float64Array(k * dim);
  const distance = new Float64Array(n).fill(Infinity);
  let chosen = Math.floor(random.next() * n);
  for (let c = 0; c < k; c++) {
    centres.set(points.subarray(chosen * dim, (chosen + 1) * dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      distance[i] = Math.min(distance[i], squaredDistance(points, i, centres, c, dim));
      total += distance[i];
    }
    if (total === 0) break;
    let target = random.next() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= distance[i];
      if (target <= 0) {
        chosen = i;
        break;
      }
    }
  }
  return centres;
}

function recomputeCentres(points: Float64Array, assignment: Int32Array, centres: Float64Array, dim: number, k: number): void {
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  for (let i = 0; i < assignment.length; i++) {
    counts[assignment[i]]++;
    for (let j = 0; j < dim; j++) sums[assignment[i] * dim + j] += points[i * dim + j];
  }
  // An emptied cluster keeps its old centre rather than collapsing to the origin.
  for (let c = 0; c < k; c++) if (counts[c] > 0) for (let j = 0; j < dim; j++) centres[c * dim + j] = sums[c * dim + j] / counts[c];
}

/** "billing: kindly, invoice, refund" — majority label, then the three words with the highest lift (≥ 3 lines). */
function nameClusters(assignment: Int32Array, k: number, tokens: string[][], labels: (string | undefined)[]): string[] {
  const n = tokens.length;
  const overall = new Map<string, number>();
  const inCluster = Array.from({ length: k }, () => new Map<string, number>());
  const labelCounts = Array.from({ length: k }, () => new Map<string, number>());
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = assignment[i];
    sizes[c]++;
    if (labels[i] !== undefined) labelCounts[c].set(labels[i]!, (labelCounts[c].get(labels[i]!) ?? 0) + 1);
    for (const word of new Set(tokens[i])) {
      overall.set(word, (overall.get(word) ?? 0) + 1);
      inCluster[c].set(word, (inCluster[c].get(word) ?? 0) + 1);
    }
  }
  return inCluster.map((counts, c) => {
    const words = [...counts.entries()]
      .filter(([, count]) => count >= 3)
      .map(([word, count]) => ({ word, lift: count / sizes[c] / (overall.get(word)! / n) }))
      .sort((a, b) => b.lift - a.lift || a.word.localeCompare(b.word))
      .slice(0, 3)
      .map((entry) => entry.word);
    const label = [...labelCounts[c].entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    return `#${c + 1}${label !== undefined ? ` ${label}` : ''}: ${words.length > 0 ? words.join(', ') : 'no distinctive words'} (${sizes[c]} lines)`;
  });
}
