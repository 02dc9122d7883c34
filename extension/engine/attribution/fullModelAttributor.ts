/**
 * Full-model attribution of any number of policies over one training set. Everything on the training side of
 * influence = −(M q)·g_i is the same for every policy: the per-example loss gradients g_i, the curvature behind
 * M, each line's self-influence g_iᵀ M g_i. An audit with several policies used to recompute all of it per policy
 * (two passes over every training line and a Cholesky each time); the attributor computes it once, on the first
 * policy, and each policy after that costs one margin pass over its covered probes and a dot product per line.
 * The streaming preconditioners (identity, diagonal Fisher) cannot hold the g_i, so they keep the loss session
 * open and stream once per policy, sharing the diagonal Fisher and the self-influences.
 */
import { PolicyTraceError } from '../errors';
import { decodeModel, ModelProto } from '../model/onnxProto';
import type { ExampleFeeds } from '../autodiff/ort';
import { dataInputNames, encodeFeeds, forEachExampleGradient, openPerExampleGradients, type PerExampleGradientModel } from './fullModelGradients';
import { collectGradientMatrix, flattenByLayout, gradientLayout, type GradientMatrix } from './fullModelMatrix';
import { cachedClassGradients, collectClassGradients, goldLabelMatrix, trueFisherMatrix, type ClassGradientStats } from './classGradients';
import { fitTrakPreconditioner, MAX_TRAK_DIM, type FlatPreconditioner } from './trakProjected';
import { accumulateFactors, kroneckerPreconditioner } from './kfacProjected';
import { classCountOf, liftSingleLogit } from './fullModelTarget';
import type { FullModelAttribution, FullModelAttributionInput } from './fullModel';

/** The training side: the model, the lines and their labels, the head, the projection and the preconditioner. */
export type FullModelTrainingSide = Omit<FullModelAttributionInput, 'probes' | 'coveredProbes' | 'actionClass' | 'conceptRows'>;
/** One policy: its probes, the ones it covers, its action, and optionally embedding rows for a concept pathway. */
export type FullModelPolicy = Pick<FullModelAttributionInput, 'probes' | 'coveredProbes' | 'actionClass' | 'conceptRows'>;

interface Pathways {
  outputPathway: Float64Array;
  featurePathway: Float64Array;
}

/** What the curvature preconditioners keep: Φ, the fitted M, and M's per-line quantities. */
interface HeldGradients {
  matrix: GradientMatrix;
  fitted: FlatPreconditioner;
}

function checkTrainingSide(input: FullModelTrainingSide, model: ModelProto): void {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  for (const name of input.headParams) {
    if (!initializers.has(name)) throw new PolicyTraceError(`head parameter '${name}' is not an initializer of the model`, { field: 'headParams' }, 'bad-option');
  }
  if (input.trainLabels.length !== input.train.length) {
    throw new PolicyTraceError(`${input.trainLabels.length} labels for ${input.train.length} training lines`, { field: 'trainLabels' }, 'bad-option');
  }
  if (input.train.length < 2) throw new PolicyTraceError('full-model attribution needs at least two training lines', { field: 'train' }, 'bad-option');
}

function checkPolicy(policy: FullModelPolicy): void {
  for (const index of policy.coveredProbes) {
    if (!Number.isInteger(index) || index < 0 || index >= policy.probes.length) {
      throw new PolicyTraceError(`covered probe ${index} is outside the ${policy.probes.length} probes`, { field: 'coveredProbes' }, 'bad-option');
    }
  }
}

/** Adds −q·g_i over one parameter block to line i's output or feature pathway. */
function addRowScore(i: number, row: ArrayLike<number>, q: ArrayLike<number>, isHead: boolean, into: Pathways): void {
  let dot = 0;
  for (let k = 0; k < row.length; k++) dot += q[k] * row[k];
  (isHead ? into.outputPathway : into.featurePathway)[i] -= dot;
}

function squaredNorm(row: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += row[k] * row[k];
  return sum;
}

/** gᵀ diag(1/f) g, or gᵀg without a diagonal. */
function diagonalSquare(row: ArrayLike<number>, inverseOf: Float64Array | undefined): number {
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += (row[k] * row[k]) / (inverseOf ? inverseOf[k] : 1);
  return sum;
}

/** gᵀ M g for one flat gradient row. */
function preconditionedSquare(row: Float32Array, preconditioner: FlatPreconditioner): number {
  const g = Float64Array.from(row);
  if (preconditioner.quadraticForm) return preconditioner.quadraticForm(g);
  const mg = preconditioner.apply(g);
  let sum = 0;
  for (let k = 0; k < g.length; k++) sum += g[k] * mg[k];
  return sum;
}

/** q·g over the given rows of a row-major [rows × width] parameter block. */
function rowsDot(row: ArrayLike<number>, q: ArrayLike<number>, rows: number[], width: number): number {
  let dot = 0;
  for (const r of rows) for (let k = r * width; k < (r + 1) * width; k++) dot += q[k] * row[k];
  return dot;
}

export class FullModelAttributor {
  private margin: PerExampleGradientModel | undefined;
  /** Open while the streaming preconditioners need it; released once a curvature preconditioner holds Φ. */
  private loss: PerExampleGradientModel | undefined;
  private held: HeldGradients | undefined;
  private fisherDiagonal: { diagonal: Map<string, Float64Array>; lambda: number } | undefined;
  /** g_iᵀ M g_i and ‖g_i‖², per line, once known (they do not depend on the policy). */
  private selfInfluence: Float64Array | undefined;
  private squaredNorms: Float64Array | undefined;
  /** The loss model's parameters and the ones it could not differentiate, for the method string. */
  private lossParameters: { params: string[]; skipped: string[] } | undefined;
  private readonly head: Set<string>;
  private readonly batchSize: number;
  /** Hits and misses of the on-disk gradient cache, once it has been read. */
  cacheStats: ClassGradientStats | undefined;

  private constructor(
    private readonly input: FullModelTrainingSide,
    private readonly model: ModelProto,
    private readonly logitsTensor: string | undefined,
    private readonly probeFeeds: ExampleFeeds,
  ) {
    this.head = new Set(input.headParams);
    this.batchSize = input.batchSize ?? 64;
  }

  static open(input: FullModelTrainingSide): FullModelAttributor {
    const source = decodeModel(input.modelBytes);
    checkTrainingSide(input, source);
    const { model, logitsTensor } = liftSingleLogit(source);
    // The probe run that fixes the gradient graph's shapes reads a few training lines, the same for every policy.
    const probeFeeds = encodeFeeds(input.featurizer, input.train.slice(0, Math.min(input.train.length, 4)), dataInputNames(model));
    return new FullModelAttributor(input, model, logitsTensor, probeFeeds);
  }

  get preconditioner(): NonNullable<FullModelTrainingSide['preconditioner']> {
    return this.input.preconditioner ?? 'identity';
  }

  async attribute(policy: FullModelPolicy): Promise<FullModelAttribution> {
    checkPolicy(policy);
    const n = this.input.train.length;
    const pathways: Pathways = { outputPathway: new Float64Array(n), featurePathway: new Float64Array(n) };
    if (policy.coveredProbes.length === 0) {
      const zero = () => new Float64Array(n);
      return { influence: zero(), ...pathways, trainGradientNorm: zero(), selfInfluence: zero(), relativeInfluence: zero(), method: 'full-model first-order influence: no covered probes, all zero' };
    }
    if (policy.conceptRows && this.input.projection) {
      throw new PolicyTraceError('concept rows need unprojected gradients (projection: null)', { field: 'conceptRows' }, 'bad-option');
    }
    const query = await this.policyQuery(policy);
    let conceptPathway: Float64Array | undefined;
    let curvature = '';
    if (this.preconditioner === 'identity' || this.preconditioner === 'diagonalFisher') {
      conceptPathway = await this.streamScores(policy, query, pathways);
    } else {
      const held = await this.holdGradients();
      curvature = held.fitted.description;
      this.scoreHeld(held, query, pathways);
    }
    const selfInfluence = this.selfInfluence!;
    const influence = new Float64Array(n);
    const trainGradientNorm = new Float64Array(n);
    const relativeInfluence = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      influence[i] = pathways.outputPathway[i] + pathways.featurePathway[i];
      trainGradientNorm[i] = Math.sqrt(this.squaredNorms![i]);
      relativeInfluence[i] = selfInfluence[i] > 0 ? influence[i] / Math.sqrt(selfInfluence[i]) : 0;
    }
    const damping = this.held?.fitted.damping ?? this.fisherDiagonal?.lambda;
    return {
      influence,
      ...pathways,
      trainGradientNorm,
      selfInfluence: Float64Array.from(selfInfluence),
      relativeInfluence,
      method: this.method(curvature, damping),
      ...(damping !== undefined && { damping }),
      ...(conceptPathway && { conceptPathway }),
    };
  }

  /**
   * The concept pathway alone, streamed over `lines` only (the lines whose ids include a row: linesReadingRows)
   * instead of every training line; equal to `attribute(...).conceptPathway`, which is zero on the other lines.
   * The damping of the diagonal Fisher still comes from every line.
   */
  async conceptScores(policy: FullModelPolicy & { conceptRows: NonNullable<FullModelPolicy['conceptRows']> }, lines: number[]): Promise<{ score: Float64Array; method: string }> {
    checkPolicy(policy);
    if (this.preconditioner !== 'identity' && this.preconditioner !== 'diagonalFisher') {
      throw new PolicyTraceError(`the concept pathway streams unprojected gradients: it needs the identity or diagonal Fisher, not '${this.preconditioner}'`, { field: 'preconditioner' }, 'bad-option');
    }
    if (this.input.projection) throw new PolicyTraceError('concept rows need unprojected gradients (projection: null)', { field: 'conceptRows' }, 'bad-option');
    const { train, trainLabels, featurizer } = this.input;
    const concept = policy.conceptRows;
    const score = new Float64Array(train.length);
    if (policy.coveredProbes.length === 0) return { score, method: 'concept pathway: no covered probes, all zero' };
    const query = (await this.policyQuery(policy)).get(concept.param);
    if (!query) throw new PolicyTraceError(`'${concept.param}' has no per-example gradient in this model`, { field: 'conceptRows' }, 'bad-option');
    const loss = await this.lossGradients(false);
    if (this.preconditioner === 'diagonalFisher') this.fisherDiagonal ??= await this.dampedFisherDiagonal(loss);
    const f = this.fisherDiagonal?.diagonal.get(concept.param);
    const direction = f ? query.map((v, k) => v / f[k]) : query;
    const kept = lines.filter((i) => trainLabels[i] >= 0);
    await forEachExampleGradient(loss, featurizer, kept.map((i) => train[i]), Int32Array.from(kept, (i) => trainLabels[i]), this.batchSize, (j, param, row) => {
      if (param === concept.param) score[kept[j]] -= rowsDot(row, direction, concept.rows, concept.width);
    });
    return { score, method: this.method('', this.fisherDiagonal?.lambda) };
  }

  /** Releases both ORT sessions; the held gradients go with the attributor. */
  async dispose(): Promise<void> {
    const sessions = [this.margin, this.loss];
    this.margin = undefined;
    this.loss = undefined;
    for (const gradients of sessions) await gradients?.session.release();
  }

  /** q: the mean margin gradient over the covered probes, one flat vector per parameter. */
  private async policyQuery(policy: FullModelPolicy): Promise<Map<string, Float64Array>> {
    this.margin ??= await openPerExampleGradients(this.model, 'margin', this.probeFeeds, this.input.projection ?? undefined, this.logitsTensor);
    const covered = policy.coveredProbes.map((i) => policy.probes[i]);
    const query = new Map<string, Float64Array>();
    const actions = new Int32Array(covered.length).fill(policy.actionClass);
    await forEachExampleGradient(this.margin, this.input.featurizer, covered, actions, this.batchSize, (_, param, row) => {
      let sum = query.get(param);
      if (!sum) query.set(param, (sum = new Float64Array(row.length)));
      for (let k = 0; k < row.length; k++) sum[k] += row[k] / covered.length;
    });
    return query;
  }

  private async lossGradients(kronecker: boolean): Promise<PerExampleGradientModel> {
    if (!this.loss) {
      this.loss = await openPerExampleGradients(this.model, 'crossEntropy', this.probeFeeds, this.input.projection ?? undefined, this.logitsTensor, kronecker);
      this.lossParameters = {
        params: this.loss.outputs.map((o) => `${o.param}${o.kind === 'projected' ? ' (projected)' : ''}`),
        skipped: this.loss.skipped.map((s) => `${s.param}: ${s.reason}`),
      };
    }
    return this.loss;
  }

  /** The diagonal empirical Fisher over the labelled training lines, damped: F + damping × mean(F). */
  private async dampedFisherDiagonal(loss: PerExampleGradientModel): Promise<{ diagonal: Map<string, Float64Array>; lambda: number }> {
    const { train, trainLabels, featurizer } = this.input;
    const diagonal = new Map<string, Float64Array>();
    const labelled = trainLabels.filter((y) => y >= 0).length;
    await forEachExampleGradient(loss, featurizer, train, trainLabels, this.batchSize, (i, param, row) => {
      if (trainLabels[i] < 0) return;
      let sum = diagonal.get(param);
      if (!sum) diagonal.set(param, (sum = new Float64Array(row.length)));
      for (let k = 0; k < row.length; k++) sum[k] += (row[k] * row[k]) / labelled;
    });
    let total = 0;
    let count = 0;
    for (const values of diagonal.values()) for (const v of values) (total += v), count++;
    const lambda = ((this.input.damping ?? 0.01) * total) / Math.max(1, count);
    if (!(lambda > 0)) throw new PolicyTraceError('every training gradient is zero: nothing to precondition', { field: 'preconditioner' }, 'degenerate-gradients');
    for (const values of diagonal.values()) for (let k = 0; k < values.length; k++) values[k] += lambda;
    return { diagonal, lambda };
  }

  /** Identity / diagonal Fisher: one streamed pass over the training lines per policy. */
  private async streamScores(policy: FullModelPolicy, query: Map<string, Float64Array>, pathways: Pathways): Promise<Float64Array | undefined> {
    const { train, trainLabels, featurizer } = this.input;
    const loss = await this.lossGradients(false);
    if (this.preconditioner === 'diagonalFisher') this.fisherDiagonal ??= await this.dampedFisherDiagonal(loss);
    const diagonal = this.fisherDiagonal?.diagonal;
    const direction = new Map(Array.from(query, ([param, q]) => {
      const f = diagonal?.get(param);
      return [param, f ? q.map((v, k) => v / f[k]) : q];
    }));
    const concept = policy.conceptRows;
    if (concept && !direction.has(concept.param)) {
      throw new PolicyTraceError(`'${concept.param}' has no per-example gradient in this model`, { field: 'conceptRows' }, 'bad-option');
    }
    const conceptPathway = concept ? new Float64Array(train.length) : undefined;
    // Self-influences are kept only once a pass has completed: an interrupted pass must not leave partial sums.
    const firstPass = !this.selfInfluence;
    const selfInfluence = this.selfInfluence ?? new Float64Array(train.length);
    const squaredNorms = this.squaredNorms ?? new Float64Array(train.length);
    await forEachExampleGradient(loss, featurizer, train, trainLabels, this.batchSize, (i, param, row) => {
      const q = direction.get(param);
      if (trainLabels[i] < 0 || !q) return;
      addRowScore(i, row, q, this.head.has(param), pathways);
      if (firstPass) {
        squaredNorms[i] += squaredNorm(row);
        selfInfluence[i] += diagonalSquare(row, diagonal?.get(param));
      }
      if (concept && param === concept.param) conceptPathway![i] -= rowsDot(row, q, concept.rows, concept.width);
    });
    this.selfInfluence = selfInfluence;
    this.squaredNorms = squaredNorms;
    return conceptPathway;
  }

  /** TRAK / K-FAC / EK-FAC: Φ, the fitted curvature and the self-influences, computed on the first policy. */
  private async holdGradients(): Promise<HeldGradients> {
    if (this.held) return this.held;
    const { train, trainLabels, featurizer } = this.input;
    const preconditioner = this.preconditioner as 'trak' | 'kfac' | 'ekfac';
    const kronecker = preconditioner !== 'trak';
    const loss = await this.lossGradients(kronecker);
    const dim = gradientLayout(loss.outputs).dim;
    if (dim > MAX_TRAK_DIM) {
      throw new PolicyTraceError(
        `the '${preconditioner}' preconditioner holds every line's gradient and a ${dim}×${dim} curvature: set a LoGra projection (e.g. kIn = kOut = 16) so there are at most ${MAX_TRAK_DIM} gradient coordinates`,
        { field: 'projection' },
        'bad-option',
      );
    }
    const fisher = kronecker ? 'true' : this.input.fisher ?? 'empirical';
    const classCount = fisher === 'true' ? classCountOf(this.model, this.input.classCount, this.logitsTensor) : 0;
    let matrix: GradientMatrix;
    let curvatureRows: GradientMatrix;
    if (fisher === 'true') {
      // Every class's gradient: the true Fisher's rows, and Φ read off at each line's gold class.
      const classGradients = await this.classGradients(loss, classCount);
      matrix = goldLabelMatrix(classGradients, trainLabels);
      curvatureRows = trueFisherMatrix(classGradients, trainLabels);
    } else {
      matrix = curvatureRows = await collectGradientMatrix(loss, featurizer, train, trainLabels, this.batchSize);
    }
    const dampingRatio = this.input.damping ?? 0.1;
    const fitted = kronecker
      ? kroneckerPreconditioner(preconditioner, await accumulateFactors(loss, featurizer, train, trainLabels, classCount, this.batchSize), curvatureRows, dampingRatio)
      : await fitTrakPreconditioner(curvatureRows, dampingRatio, fisher);
    // Φ holds every gradient now: the loss session's memory can go.
    this.loss = undefined;
    await loss.session.release();
    this.selfInfluence = new Float64Array(matrix.rows);
    this.squaredNorms = new Float64Array(matrix.rows);
    for (let i = 0; i < matrix.rows; i++) {
      if (!matrix.labelled[i]) continue;
      const row = matrix.data.subarray(i * matrix.dim, (i + 1) * matrix.dim);
      this.selfInfluence[i] = preconditionedSquare(row, fitted);
      this.squaredNorms[i] = squaredNorm(row);
    }
    this.held = { matrix, fitted };
    return this.held;
  }

  private async classGradients(loss: PerExampleGradientModel, classCount: number) {
    const { train, featurizer, cacheDir, modelBytes, projection } = this.input;
    if (!cacheDir) return collectClassGradients(loss, featurizer, train, classCount, this.batchSize);
    const cached = await cachedClassGradients(loss, featurizer, train, classCount, this.batchSize, { dir: cacheDir, modelBytes, projection: projection ?? undefined });
    this.cacheStats = cached.stats;
    return cached.classGradients;
  }

  /** −(M q)·g_i block by block, so the head's blocks give the output pathway. */
  private scoreHeld({ matrix, fitted }: HeldGradients, query: Map<string, Float64Array>, pathways: Pathways): void {
    const direction = fitted.apply(flattenByLayout(matrix, query));
    for (let i = 0; i < matrix.rows; i++) {
      if (!matrix.labelled[i]) continue;
      for (const block of matrix.blocks) {
        const start = i * matrix.dim + block.offset;
        addRowScore(i, matrix.data.subarray(start, start + block.size), direction.subarray(block.offset, block.offset + block.size), this.head.has(block.param), pathways);
      }
    }
  }

  private method(curvature: string, damping: number | undefined): string {
    const { params, skipped } = this.lossParameters!;
    const projection = this.input.projection;
    return [
      this.preconditioner === 'identity'
        ? 'full-model first-order influence −q·g_i with identity preconditioner (no Hessian/Fisher; TRAK-style, diagonal-free)'
        : this.preconditioner === 'diagonalFisher'
          ? `full-model influence −q·(F + λ)⁻¹·g_i with the diagonal empirical Fisher F of the training loss gradients, λ = ${this.input.damping ?? 0.01} × mean(F) = ${damping?.toExponential(3)} (a diagonal stand-in for the Hessian)`
          : `full-model influence −q·M·g_i with ${curvature}`,
      projection ? `LoGra projection kIn=${projection.kIn} kOut=${projection.kOut} seed=${projection.seed}` : 'unprojected gradients',
      this.logitsTensor ? 'single logit lifted to two-class logits [0, z]' : '',
      `parameters: ${params.join(', ')}`,
      skipped.length ? `no per-example gradient (left out of the score): ${skipped.join('; ')}` : '',
    ].filter(Boolean).join('; ');
  }
}
