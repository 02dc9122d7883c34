/**
 * Full-model policy attribution: influence of every training line on a policy's margin through ALL
 * parameters (embeddings, hidden layers and the head), from per-example gradients of the ONNX backward graph.
 *
 *   q         = mean over covered probes of ∇θ margin(probe, action class)
 *   g_i       = ∇θ crossEntropy(train line i, its gold label)
 *   influence = −q·g_i      (upweighting line i by ε moves θ by −ε g_i, so the margin moves by −ε q·g_i)
 *
 * Preconditioner M ≈ (curvature + λI)⁻¹, influence = −(M q)·g_i: the identity by default; a damped diagonal
 * empirical Fisher (streams, never holds the gradients); TRAK over all layers' projected gradients concatenated
 * (trakProjected.ts); K-FAC / EK-FAC per layer (kfacProjected.ts). The last three hold Φ (n × D) and want a LoGra
 * `projection`. The dot product is split by parameter into the head (output pathway) and everything else
 * (feature pathway); the two parts sum to the influence.
 *
 * Relative influence (RelatIF, as the head-only ranking): influence_i / √(g_iᵀ M g_i), the line's push toward
 * the policy per unit of its own preconditioned gradient, so a few high-loss lines that push every policy of
 * their class do not crowd the top of the list.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import { PolicyTraceError } from '../errors';
import { resolveObjectiveTarget } from '../autodiff/objective';
import { ProjectionOptions } from '../autodiff/projection';
import { decodeModel, ModelProto } from '../model/onnxProto';
import { dataInputNames, encodeFeeds, forEachExampleGradient, openPerExampleGradients, PerExampleGradientModel } from './fullModelGradients';
import { collectGradientMatrix, collectTrueFisherMatrix, flattenByLayout, gradientLayout } from './fullModelMatrix';
import { fitTrakPreconditioner, MAX_TRAK_DIM, type FisherKind } from './trakProjected';
import { accumulateFactors, kroneckerPreconditioner } from './kfacProjected';

export interface FullModelAttributionInput {
  modelBytes: Uint8Array;
  featurizer: Featurizer;
  train: Example[];
  /** Gold class id per training line; negative = unlabelled (influence 0). */
  trainLabels: Int32Array;
  probes: Example[];
  /** Indices into `probes` of the examples the policy covers. */
  coveredProbes: number[];
  actionClass: number;
  /** Initializer names of the final linear layer (weight, bias): the output pathway. */
  headParams: string[];
  projection?: ProjectionOptions | null;
  batchSize?: number;
  /**
   * 'identity' (default): plain −q·g_i. 'diagonalFisher': −q·(F + λ)⁻¹·g_i with F the diagonal empirical Fisher
   * (mean g_i² over labelled lines, per gradient coordinate) and λ = damping × mean(F); one extra pass.
   */
  /**
   * 'trak': −q·(ΦᵀΦ/n + λI)⁻¹·g_i over all layers' (projected) gradients concatenated; holds Φ, so it wants a
   * projection. 'kfac' / 'ekfac': per-layer Kronecker-factored true Fisher in the projected space (kfacProjected.ts);
   * layers without a Kronecker form (biases; every layer when unprojected) get their dense Fisher block.
   */
  preconditioner?: FullModelPreconditionerKind;
  /** Which Fisher the 'trak' preconditioner builds: 'empirical' (gold labels, default) or 'true' (every class, weighted by the model's p). */
  fisher?: FisherKind;
  /** Classes of the model's output, for the true Fisher; read from the declared output shape when absent. */
  classCount?: number;
  /** Relative damping: λ = damping × mean eigenvalue (mean of F's diagonal). Default 0.01 for 'diagonalFisher', 0.1 for the others. */
  damping?: number;
  /**
   * Rows of an embedding initializer (param, row width, row indices — e.g. the vocabulary rows of the words a
   * rule's antecedent names): their share of the influence is returned as `conceptPathway`, "what these lines
   * taught the model these words mean". Needs unprojected gradients ('identity' or 'diagonalFisher').
   */
  conceptRows?: { param: string; width: number; rows: number[] };
}

export type FullModelPreconditionerKind = 'identity' | 'diagonalFisher' | 'trak' | 'kfac' | 'ekfac';

export interface FullModelAttribution {
  /** Per training line; positive = upweighting the line pushes the model toward the policy. */
  influence: Float64Array;
  /** The part of `influence` through `headParams`. */
  outputPathway: Float64Array;
  /** The part through every other parameter. */
  featurePathway: Float64Array;
  /** ‖g_i‖ over the same (projected) coordinates: influence / norm ranks by direction, not loss size. */
  trainGradientNorm: Float64Array;
  /** g_iᵀ M g_i under the same preconditioner (‖g_i‖² for the identity). */
  selfInfluence: Float64Array;
  /** influence_i / √selfInfluence_i (0 where the line has no gradient): the default order of the lines. */
  relativeInfluence: Float64Array;
  method: string;
  /** The absolute damping λ the preconditioner used (absent for the identity). */
  damping?: number;
  /** The part of `featurePathway` through `conceptRows` (when given). */
  conceptPathway?: Float64Array;
}

/**
 * A model with one logit column (sigmoid/threshold binary classifier) gets two-class logits [0, z]:
 * softmax([0, z]) = [1 − σ(z), σ(z)], so cross-entropy and the margin of class 1 (= z) are exactly the binary ones.
 */
function liftSingleLogit(model: ModelProto): { model: ModelProto; logitsTensor?: string } {
  const target = resolveObjectiveTarget(model);
  const graph = model.graph!;
  const declared = graph.output?.find((o) => o.name === target.tensor)?.type?.tensorType?.shape?.dim;
  if (target.mode !== 'logits' || declared?.length !== 2 || declared[1].dimValue !== 1) return { model };
  const producer = (graph.node ?? []).find((n) => n.output?.includes(target.tensor));
  const z = producer?.opType === 'Sigmoid' && producer.input?.[0] ? producer.input[0] : target.tensor;
  const lifted = structuredClone(model);
  const zero = 'policytrace/binary_zero';
  const logits = 'policytrace/binary_logits';
  lifted.graph!.node = [
    ...(lifted.graph!.node ?? []),
    // Sub(z, z) rather than a constant: a new float initializer would count as a parameter.
    { name: zero, opType: 'Sub', input: [z, z], output: [zero] },
    { name: logits, opType: 'Concat', input: [zero, z], output: [logits], attribute: [{ name: 'axis', type: 2, i: 1 }] },
  ];
  return { model: lifted, logitsTensor: logits };
}

function checkInput(input: FullModelAttributionInput, model: ModelProto): void {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  for (const name of input.headParams) {
    if (!initializers.has(name)) throw new PolicyTraceError(`head parameter '${name}' is not an initializer of the model`, { field: 'headParams' }, 'bad-option');
  }
  if (input.trainLabels.length !== input.train.length) {
    throw new PolicyTraceError(`${input.trainLabels.length} labels for ${input.train.length} training lines`, { field: 'trainLabels' }, 'bad-option');
  }
  for (const index of input.coveredProbes) {
    if (!Number.isInteger(index) || index < 0 || index >= input.probes.length) {
      throw new PolicyTraceError(`covered probe ${index} is outside the ${input.probes.length} probes`, { field: 'coveredProbes' }, 'bad-option');
    }
  }
  if (input.train.length < 2) throw new PolicyTraceError('full-model attribution needs at least two training lines', { field: 'train' }, 'bad-option');
}

/** The diagonal empirical Fisher over the labelled training lines, damped: F + damping × mean(F). */
async function dampedFisherDiagonal(
  gradients: PerExampleGradientModel,
  input: FullModelAttributionInput,
  batchSize: number,
  damping: number,
): Promise<{ diagonal: Map<string, Float64Array>; lambda: number }> {
  const diagonal = new Map<string, Float64Array>();
  const labelled = input.trainLabels.filter((y) => y >= 0).length;
  await forEachExampleGradient(gradients, input.featurizer, input.train, input.trainLabels, batchSize, (i, param, row) => {
    if (input.trainLabels[i] < 0) return;
    let sum = diagonal.get(param);
    if (!sum) diagonal.set(param, (sum = new Float64Array(row.length)));
    for (let k = 0; k < row.length; k++) sum[k] += (row[k] * row[k]) / labelled;
  });
  let total = 0;
  let count = 0;
  for (const values of diagonal.values()) for (const v of values) (total += v), count++;
  const lambda = (damping * total) / Math.max(1, count);
  if (!(lambda > 0)) throw new PolicyTraceError('every training gradient is zero: nothing to precondition', { field: 'preconditioner' }, 'degenerate-gradients');
  for (const values of diagonal.values()) for (let k = 0; k < values.length; k++) values[k] += lambda;
  return { diagonal, lambda };
}

/** q: the mean margin gradient over the covered probes, one flat vector per parameter. */
async function policyQuery(gradients: PerExampleGradientModel, input: FullModelAttributionInput, batchSize: number): Promise<Map<string, Float64Array>> {
  const covered = input.coveredProbes.map((i) => input.probes[i]);
  const query = new Map<string, Float64Array>();
  const actions = new Int32Array(covered.length).fill(input.actionClass);
  await forEachExampleGradient(gradients, input.featurizer, covered, actions, batchSize, (_, param, row) => {
    let sum = query.get(param);
    if (!sum) query.set(param, (sum = new Float64Array(row.length)));
    for (let k = 0; k < row.length; k++) sum[k] += row[k] / covered.length;
  });
  return query;
}

/** The number of classes: given, 2 for a lifted single logit, else the declared width of the model's output. */
function classCountOf(model: ModelProto, input: FullModelAttributionInput, logitsTensor: string | undefined): number {
  if (input.classCount !== undefined) return input.classCount;
  if (logitsTensor) return 2;
  const width = model.graph?.output?.[0]?.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  if (typeof width === 'number' && width >= 2) return width;
  throw new PolicyTraceError("the model's output does not declare its number of classes: pass classCount for the true Fisher", { field: 'classCount' }, 'bad-option');
}

interface Pathways {
  outputPathway: Float64Array;
  featurePathway: Float64Array;
  trainGradientNorm: Float64Array;
  selfInfluence: Float64Array;
}

/** Adds −q·g_i over one parameter block to line i's pathway, and ‖g_i‖² over the block to its norm. */
function addRowScore(
  i: number,
  row: ArrayLike<number>,
  q: ArrayLike<number> | undefined,
  isHead: boolean,
  into: Pathways,
): void {
  if (!q) return;
  let dot = 0;
  let squares = 0;
  for (let k = 0; k < row.length; k++) {
    dot += q[k] * row[k];
    squares += row[k] * row[k];
  }
  into.trainGradientNorm[i] += squares;
  (isHead ? into.outputPathway : into.featurePathway)[i] -= dot;
}

/**
 * TRAK / K-FAC / EK-FAC: hold every line's (projected) gradient as Φ, fit the curvature, and score
 * −(M q)·g_i block by block so the head's blocks give the output pathway.
 */
async function scoreWithCurvature(
  loss: PerExampleGradientModel,
  input: FullModelAttributionInput,
  model: ModelProto,
  logitsTensor: string | undefined,
  query: Map<string, Float64Array>,
  head: Set<string>,
  pathways: Pathways,
  batchSize: number,
): Promise<{ damping: number; description: string }> {
  const preconditioner = input.preconditioner as 'trak' | 'kfac' | 'ekfac';
  const kronecker = preconditioner !== 'trak';
  const dim = gradientLayout(loss.outputs).dim;
  if (dim > MAX_TRAK_DIM) {
    throw new PolicyTraceError(
      `the '${preconditioner}' preconditioner holds every line's gradient and a ${dim}×${dim} curvature: set a LoGra projection (e.g. kIn = kOut = 16) so there are at most ${MAX_TRAK_DIM} gradient coordinates`,
      { field: 'projection' },
      'bad-option',
    );
  }
  const matrix = await collectGradientMatrix(loss, input.featurizer, input.train, input.trainLabels, batchSize);
  const fisher = kronecker ? 'true' : input.fisher ?? 'empirical';
  const classCount = fisher === 'true' ? classCountOf(model, input, logitsTensor) : 0;
  const curvatureRows = fisher === 'true' ? await collectTrueFisherMatrix(loss, input.featurizer, input.train, input.trainLabels, classCount, batchSize) : matrix;
  const dampingRatio = input.damping ?? 0.1;
  const fitted = kronecker
    ? kroneckerPreconditioner(preconditioner, await accumulateFactors(loss, input.featurizer, input.train, input.trainLabels, classCount, batchSize), curvatureRows, dampingRatio)
    : await fitTrakPreconditioner(curvatureRows, dampingRatio, fisher);
  const direction = fitted.apply(flattenByLayout(matrix, query));
  for (let i = 0; i < matrix.rows; i++) {
    if (!matrix.labelled[i]) continue;
    pathways.selfInfluence[i] = preconditionedSquare(matrix.data.subarray(i * matrix.dim, (i + 1) * matrix.dim), fitted.apply);
    for (const block of matrix.blocks) {
      const start = i * matrix.dim + block.offset;
      addRowScore(i, matrix.data.subarray(start, start + block.size), direction.subarray(block.offset, block.offset + block.size), head.has(block.param), pathways);
    }
  }
  return { damping: fitted.damping, description: fitted.description };
}

export async function attributePolicyFullModel(input: FullModelAttributionInput): Promise<FullModelAttribution> {
  const source = decodeModel(input.modelBytes);
  checkInput(input, source);
  const n = input.train.length;
  const influence = new Float64Array(n);
  const outputPathway = new Float64Array(n);
  const featurePathway = new Float64Array(n);
  const trainGradientNorm = new Float64Array(n);
  const selfInfluence = new Float64Array(n);
  if (input.coveredProbes.length === 0) {
    const relativeInfluence = new Float64Array(n);
    return { influence, outputPathway, featurePathway, trainGradientNorm, selfInfluence, relativeInfluence, method: 'full-model first-order influence: no covered probes, all zero' };
  }
  const batchSize = input.batchSize ?? 64;
  const projection = input.projection ?? undefined;
  const { model, logitsTensor } = liftSingleLogit(source);
  const probeFeeds = encodeFeeds(input.featurizer, input.train.slice(0, Math.min(n, 4)), dataInputNames(model));

  const margin = await openPerExampleGradients(model, 'margin', probeFeeds, projection, logitsTensor);
  let query: Map<string, Float64Array>;
  try {
    query = await policyQuery(margin, input, batchSize);
  } finally {
    await margin.session.release();
  }

  const preconditioner = input.preconditioner ?? 'identity';
  const kronecker = preconditioner === 'kfac' || preconditioner === 'ekfac';
  const loss = await openPerExampleGradients(model, 'crossEntropy', probeFeeds, projection, logitsTensor, kronecker);
  const head = new Set(input.headParams);
  const pathways = { outputPathway, featurePathway, trainGradientNorm, selfInfluence };
  if (input.conceptRows && projection) {
    throw new PolicyTraceError('concept rows need unprojected gradients (projection: null)', { field: 'conceptRows' }, 'bad-option');
  }
  const conceptPathway = input.conceptRows ? new Float64Array(n) : undefined;
  let damping: number | undefined;
  let curvature = '';
  try {
    if (preconditioner === 'identity' || preconditioner === 'diagonalFisher') {
      let fisherDiagonal: Map<string, Float64Array> | undefined;
      if (preconditioner === 'diagonalFisher') {
        const fisher = await dampedFisherDiagonal(loss, input, batchSize, input.damping ?? 0.01);
        damping = fisher.lambda;
        fisherDiagonal = fisher.diagonal;
        for (const [param, q] of query) {
          const f = fisher.diagonal.get(param);
          if (f) for (let k = 0; k < q.length; k++) q[k] /= f[k];
        }
      }
      const concept = input.conceptRows;
      if (concept && !query.has(concept.param)) {
        throw new PolicyTraceError(`'${concept.param}' has no per-example gradient in this model`, { field: 'conceptRows' }, 'bad-option');
      }
      await forEachExampleGradient(loss, input.featurizer, input.train, input.trainLabels, batchSize, (i, param, row) => {
        if (input.trainLabels[i] < 0) return;
        addRowScore(i, row, query.get(param), head.has(param), pathways);
        if (query.has(param)) selfInfluence[i] += diagonalSquare(row, fisherDiagonal?.get(param));
        if (concept && param === concept.param) conceptPathway![i] -= rowsDot(row, query.get(param)!, concept.rows, concept.width);
      });
    } else {
      const fitted = await scoreWithCurvature(loss, input, model, logitsTensor, query, head, pathways, batchSize);
      damping = fitted.damping;
      curvature = fitted.description;
    }
  } finally {
    await loss.session.release();
  }
  const relativeInfluence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    influence[i] = outputPathway[i] + featurePathway[i];
    trainGradientNorm[i] = Math.sqrt(trainGradientNorm[i]);
    relativeInfluence[i] = selfInfluence[i] > 0 ? influence[i] / Math.sqrt(selfInfluence[i]) : 0;
  }

  const params = loss.outputs.map((o) => `${o.param}${o.kind === 'projected' ? ' (projected)' : ''}`);
  const skipped = loss.skipped.map((s) => `${s.param}: ${s.reason}`);
  const method = [
    preconditioner === 'identity'
      ? 'full-model first-order influence −q·g_i with identity preconditioner (no Hessian/Fisher; TRAK-style, diagonal-free)'
      : preconditioner === 'diagonalFisher'
        ? `full-model influence −q·(F + λ)⁻¹·g_i with the diagonal empirical Fisher F of the training loss gradients, λ = ${input.damping ?? 0.01} × mean(F) = ${damping?.toExponential(3)} (a diagonal stand-in for the Hessian)`
        : `full-model influence −q·M·g_i with ${curvature}`,
    projection ? `LoGra projection kIn=${projection.kIn} kOut=${projection.kOut} seed=${projection.seed}` : 'unprojected gradients',
    logitsTensor ? 'single logit lifted to two-class logits [0, z]' : '',
    `parameters: ${params.join(', ')}`,
    skipped.length ? `no per-example gradient (left out of the score): ${skipped.join('; ')}` : '',
  ].filter(Boolean).join('; ');
  return { influence, outputPathway, featurePathway, trainGradientNorm, selfInfluence, relativeInfluence, method, ...(damping !== undefined && { damping }), ...(conceptPathway && { conceptPathway }) };
}

/** q·g over the given rows of a row-major [rows × width] parameter block. */
function rowsDot(row: ArrayLike<number>, q: ArrayLike<number>, rows: number[], width: number): number {
  let dot = 0;
  for (const r of rows) for (let k = r * width; k < (r + 1) * width; k++) dot += q[k] * row[k];
  return dot;
}

/** gᵀ diag(1/f) g, or gᵀg without a diagonal. */
function diagonalSquare(row: ArrayLike<number>, inverseOf: Float64Array | undefined): number {
  let sum = 0;
  for (let k = 0; k < row.length; k++) sum += (row[k] * row[k]) / (inverseOf ? inverseOf[k] : 1);
  return sum;
}

/** gᵀ M g for one flat gradient row. */
function preconditionedSquare(row: Float32Array, apply: (v: Float64Array) => Float64Array): number {
  const g = Float64Array.from(row);
  const mg = apply(g);
  let sum = 0;
  for (let k = 0; k < g.length; k++) sum += g[k] * mg[k];
  return sum;
}
