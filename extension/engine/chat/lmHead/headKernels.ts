/**
 * onnxruntime sessions over the graphs in headGraphs.ts, run in row chunks so memory stays O(chunk × V)
 * whatever the number of training tokens. Sums over chunks accumulate in Float64. Sessions are created
 * lazily, once per head shape; this runs in-process (the engine already lives in a worker).
 */
import { PolicyTraceError } from '../../errors';
import { createSession, ort, type OrtSession } from '../../autodiff/ort';
import { curvatureGraph, ekfacGraph, lossGradGraph, scoreGraph } from './headGraphs';

/** Rows per run: keeps the [rows, V] intermediates around 100 MB for V in the low thousands. */
const CHUNK_CELLS = 4_000_000;

export interface RowSet {
  /** rows × cols float32 features h̃. */
  features: Float32Array;
  targets: Int32Array;
}

export interface LossGradResult {
  /** log p(y_t) per row. */
  logp: Float64Array;
  /** Σ_t w_t (p_t − e_{y_t}) h̃_tᵀ, V × cols. */
  grad: Float64Array;
  /** The most likely next token per row. */
  top: Int32Array;
}

export interface CurvatureSums {
  ptp: Float64Array;
  pSum: Float64Array;
  hth: Float64Array;
  rows: number;
}

export class LmHeadKernels {
  private readonly sessions = new Map<string, Promise<OrtSession>>();

  constructor(
    readonly vocabSize: number,
    readonly cols: number,
  ) {}

  private session(kind: 'lossGrad' | 'score' | 'curvature' | 'ekfac'): Promise<OrtSession> {
    let session = this.sessions.get(kind);
    if (!session) {
      const build = { lossGrad: lossGradGraph, score: scoreGraph, curvature: curvatureGraph, ekfac: ekfacGraph }[kind];
      session = createSession(build(this.vocabSize, this.cols));
      this.sessions.set(kind, session);
    }
    return session;
  }

  private chunkRows(directions = 1): number {
    return Math.max(64, Math.floor(CHUNK_CELLS / (this.vocabSize * Math.max(1, directions))));
  }

  private checkRows(rows: RowSet): number {
    const n = rows.targets.length;
    if (rows.features.length !== n * this.cols) {
      throw new PolicyTraceError(`${rows.features.length} feature values for ${n} rows of ${this.cols}`, { field: 'features' }, 'lm-head');
    }
    return n;
  }

  private float(data: Float32Array, dims: number[]) {
    return new (ort().Tensor)('float32', data, dims);
  }

  private int64(data: Int32Array, dims: number[]) {
    return new (ort().Tensor)('int64', BigInt64Array.from(data, (v) => BigInt(v)), dims);
  }

  /** Per-row target log-probabilities and the row-weighted loss gradient under head `theta` (V × cols). */
  async lossGrad(theta: Float32Array, rows: RowSet, rowWeight?: Float32Array): Promise<LossGradResult> {
    const n = this.checkRows(rows);
    const session = await this.session('lossGrad');
    const logp = new Float64Array(n);
    const top = new Int32Array(n);
    const grad = new Float64Array(this.vocabSize * this.cols);
    const step = this.chunkRows();
    const weights = rowWeight ?? new Float32Array(n).fill(1);
    for (let start = 0; start < n; start += step) {
      const end = Math.min(n, start + step);
      const out = await session.run({
        H: this.float(rows.features.subarray(start * this.cols, end * this.cols), [end - start, this.cols]),
        W: this.float(theta, [this.vocabSize, this.cols]),
        Y: this.int64(rows.targets.subarray(start, end), [end - start]),
        rowWeight: this.float(weights.subarray(start, end), [end - start]),
      });
      logp.set(out.logp.data as Float32Array, start);
      top.set(Int32Array.from(out.top.data as BigInt64Array, Number), start);
      const chunkGrad = out.grad.data as Float32Array;
      for (let j = 0; j < grad.length; j++) grad[j] += chunkGrad[j];
    }
    return { logp, grad, top };
  }

  /**
   * For each direction R_q (V × cols, stacked q-major), the per-row score (p_t − e_{y_t})ᵀ R_q h̃_t.
   * Returns q arrays of n values.
   */
  async scores(theta: Float32Array, rows: RowSet, directions: Float32Array[]): Promise<Float64Array[]> {
    const n = this.checkRows(rows);
    const q = directions.length;
    const stacked = new Float32Array(q * this.vocabSize * this.cols);
    directions.forEach((r, i) => stacked.set(r, i * this.vocabSize * this.cols));
    const session = await this.session('score');
    const out = directions.map(() => new Float64Array(n));
    const step = this.chunkRows(q);
    for (let start = 0; start < n; start += step) {
      const end = Math.min(n, start + step);
      const result = await session.run({
        H: this.float(rows.features.subarray(start * this.cols, end * this.cols), [end - start, this.cols]),
        W: this.float(theta, [this.vocabSize, this.cols]),
        Y: this.int64(rows.targets.subarray(start, end), [end - start]),
        R: this.float(stacked, [q, this.vocabSize, this.cols]),
      });
      const data = result.score.data as Float32Array;
      for (let i = 0; i < q; i++) out[i].set(data.subarray(i * (end - start), (i + 1) * (end - start)), start);
    }
    return out;
  }

  /** Σ_t p_t p_tᵀ, Σ_t p_t and Σ_t h̃_t h̃_tᵀ over all rows. */
  async curvature(theta: Float32Array, rows: RowSet): Promise<CurvatureSums> {
    const n = this.checkRows(rows);
    const session = await this.session('curvature');
    const sums: CurvatureSums = {
      ptp: new Float64Array(this.vocabSize * this.vocabSize),
      pSum: new Float64Array(this.vocabSize),
      hth: new Float64Array(this.cols * this.cols),
      rows: n,
    };
    const step = this.chunkRows();
    for (let start = 0; start < n; start += step) {
      const end = Math.min(n, start + step);
      const out = await session.run({
        H: this.float(rows.features.subarray(start * this.cols, end * this.cols), [end - start, this.cols]),
        W: this.float(theta, [this.vocabSize, this.cols]),
      });
      addInto(sums.ptp, out.PtP.data as Float32Array);
      addInto(sums.pSum, out.pSum.data as Float32Array);
      addInto(sums.hth, out.HtH.data as Float32Array);
    }
    return sums;
  }

  /**
   * EK-FAC eigenvalues: Σ over sequences of (U_Bᵀ G_s U_A)² elementwise (V × cols), where G_s is sequence s's
   * summed loss gradient. Sequences are padded into [S, T, cols] batches; padded rows are masked out.
   */
  async ekfacSquares(
    theta: Float32Array,
    rows: RowSet,
    sequenceOfRow: Int32Array,
    sequences: number,
    eigenA: Float32Array,
    eigenB: Float32Array,
  ): Promise<Float64Array> {
    this.checkRows(rows);
    const session = await this.session('ekfac');
    const spans = sequenceSpans(sequenceOfRow, sequences).filter((s) => s.end > s.start);
    const total = new Float64Array(this.vocabSize * this.cols);
    const maxLength = spans.reduce((m, s) => Math.max(m, s.end - s.start), 1);
    // One batch holds S sequences × T tokens × V plus S × V × cols gradients.
    const perSequence = maxLength * this.vocabSize * 3 + this.vocabSize * this.cols * 2;
    const batch = Math.max(1, Math.floor((CHUNK_CELLS * 2) / perSequence));
    for (let first = 0; first < spans.length; first += batch) {
      const group = spans.slice(first, first + batch);
      const s = group.length;
      const t = group.reduce((m, g) => Math.max(m, g.end - g.start), 1);
      const h = new Float32Array(s * t * this.cols);
      const y = new Int32Array(s * t);
      const mask = new Float32Array(s * t);
      group.forEach((span, b) => {
        for (let r = span.start; r < span.end; r++) {
          const slot = b * t + (r - span.start);
          h.set(rows.features.subarray(r * this.cols, (r + 1) * this.cols), slot * this.cols);
          y[slot] = rows.targets[r];
          mask[slot] = 1;
        }
      });
      const out = await session.run({
        H: this.float(h, [s, t, this.cols]),
        W: this.float(theta, [this.vocabSize, this.cols]),
        Y: this.int64(y, [s, t]),
        mask: this.float(mask, [s, t]),
        UA: this.float(eigenA, [this.cols, this.cols]),
        UB: this.float(eigenB, [this.vocabSize, this.vocabSize]),
      });
      addInto(total, out.squares.data as Float32Array);
    }
    return total;
  }

  async release(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const session of sessions) await (await session).release();
  }
}

export interface SequenceSpan {
  start: number;
  end: number;
}

/** Row range [start, end) of every sequence (rows are grouped by sequence, in order). */
export function sequenceSpans(sequenceOfRow: Int32Array, sequences: number): SequenceSpan[] {
  const spans: SequenceSpan[] = Array.from({ length: sequences }, () => ({ start: 0, end: 0 }));
  for (let r = 0; r < sequenceOfRow.length; r++) {
    const s = sequenceOfRow[r];
    if (r > 0 && s < sequenceOfRow[r - 1]) {
      throw new PolicyTraceError(`token rows are not grouped by sequence (row ${r} goes back to sequence ${s})`, { field: 'sequenceOfRow' }, 'lm-head');
    }
    if (spans[s].end === 0) spans[s].start = r;
    spans[s].end = r + 1;
  }
  return spans;
}

function addInto(target: Float64Array, values: Float32Array): void {
  for (let j = 0; j < target.length; j++) target[j] += values[j];
}
