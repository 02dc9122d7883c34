/**
 * Full-model attribution of a chat LM's policy: the influence of every training conversation on an A/B
 * preference through ALL parameters the backward graph gives per-example gradients for, not only the LM head.
 *
 *   g_i       = ∇θ Σ_{assistant tokens t} −log p(x_t | x_<t)          (the SFT loss of conversation i)
 *   q         = mean over covered probes of ∇θ [log p(matching) − log p(not matching)]
 *             = mean of ∇ CE(not matching) − ∇ CE(matching)            (two runs of one gradient model)
 *   influence = −(M q)·g_i   (upweighting line i by ε moves θ by −ε M g_i, so the log-odds move by −ε qᵀM g_i)
 *
 * M = identity (streams; never holds more than one batch of gradients) or TRAK (ΦᵀΦ/n + λI)⁻¹ over the LoGra-
 * projected gradients of all lines, the one matrix held. Relative influence = influence / √(g_iᵀ M g_i). The
 * dot product is split into the LM head's parameters (output pathway) and the rest (feature pathway).
 */
import { PolicyTraceError } from '../../errors';
import type { ProjectionOptions } from '../../autodiff/projection';
import { flattenByLayout, gradientLayout } from '../../attribution/fullModelMatrix';
import { fitTrakPreconditioner } from '../../attribution/trakProjected';
import { decodeModel } from '../../model/onnxProto';
import type { TokenSequence } from '../lmHead/types';
import { decisionTokens } from './decisionToken';
import { fitDualTrak } from './dualTrak';
import { findLmHeadParams } from './lmHeadParams';
import { forEachSequenceGradient, longestSequence, openSequenceGradients, type SequenceGradientModel } from './sequenceGradients';

export type LmFullModelPreconditioner = 'identity' | 'trak';

export interface LmFullModelInput {
  modelBytes: Uint8Array;
  /** The model file, for error locations. */
  modelFile?: string;
  /** One per training line; targetMask marks the tokens the SFT loss counts (assistant tokens). */
  train: TokenSequence[];
  /** Each probe's prompt + matching answer, and + not-matching answer (targets = the answer tokens). */
  probes: { matching: TokenSequence[]; notMatching: TokenSequence[] };
  /** Indices of the probes the policy covers. */
  covered: number[];
  /** The output pathway; found from the layer that makes the logits when absent. */
  headParams?: string[];
  /** LoGra projection; default kIn = kOut = 16, seed 0. null = exact gradients (identity only). */
  projection?: ProjectionOptions | null;
  preconditioner?: LmFullModelPreconditioner;
  /**
   * What g_i differentiates: 'loss' (default) the SFT loss Σ −log p; 'margin' minus the summed per-token
   * margins Σ −(z_y − logsumexp_{j≠y} z_j): the loss gradient's per-token directions without their 1 − p
   * factor, so tokens the model has memorised (p ≈ 1) still count.
   */
  trainGradient?: 'loss' | 'margin';
  /**
   * Which answer tokens q differentiates: 'answer' (default) the whole answers, q = ∇[log p(matching) −
   * log p(not matching)]; 'firstDivergent' only the first token where the two answers differ (decisionToken.ts).
   */
  query?: 'answer' | 'firstDivergent';
  /** λ = damping × mean eigenvalue of the projected Fisher (TRAK); default 0.1. */
  damping?: number;
  batchSize?: number;
  padId?: number;
}

export interface LmFullModelAttribution {
  /** Per training line; positive = upweighting it moves the model toward the matching answer. */
  influence: Float64Array;
  outputPathway: Float64Array;
  featurePathway: Float64Array;
  /** g_iᵀ M g_i (‖g_i‖² for the identity). */
  selfInfluence: Float64Array;
  /** influence / √selfInfluence (0 where the line has no gradient). */
  relativeInfluence: Float64Array;
  /** Each line's objective g_i differentiates: its SFT loss, or its summed per-token margin (trainGradient 'margin'). */
  trainObjective: Float64Array;
  headParams: string[];
  /** Parameters with per-example gradients (left out of the score otherwise), and the ones skipped with why. */
  parameters: string[];
  skipped: { param: string; reason: string }[];
  method: string;
  damping?: number;
}

export const DEFAULT_LM_PROJECTION: ProjectionOptions = { kIn: 16, kOut: 16, seed: 0 };

function checkInput(input: LmFullModelInput): void {
  const probeCount = input.probes.matching.length;
  if (input.probes.notMatching.length !== probeCount) {
    throw new PolicyTraceError(`${probeCount} matching but ${input.probes.notMatching.length} not-matching probe answers`, { field: 'probes' }, 'chat.full-model');
  }
  for (const index of input.covered) {
    if (!Number.isInteger(index) || index < 0 || index >= probeCount) {
      throw new PolicyTraceError(`covered probe ${index} is outside the ${probeCount} probes`, { field: 'covered' }, 'chat.full-model');
    }
  }
  if (input.train.length < 2) throw new PolicyTraceError('full-model attribution needs at least two training lines', { field: 'train' }, 'chat.full-model');
}

/** q = mean over covered probes of ∇CE(not matching) − ∇CE(matching), one flat vector per parameter. */
async function policyQuery(gradients: SequenceGradientModel, input: LmFullModelInput, batchSize: number): Promise<Map<string, Float64Array>> {
  const query = new Map<string, Float64Array>();
  const scale = 1 / input.covered.length;
  const probes = input.query === 'firstDivergent' ? decisionTokens(input.probes) : input.probes;
  for (const [answers, sign] of [[probes.notMatching, scale], [probes.matching, -scale]] as const) {
    const covered = input.covered.map((j) => answers[j]);
    await forEachSequenceGradient(gradients, covered, batchSize, (_, param, row) => {
      let sum = query.get(param);
      if (!sum) query.set(param, (sum = new Float64Array(row.length)));
      for (let k = 0; k < row.length; k++) sum[k] += sign * row[k];
    });
  }
  return query;
}

interface Scores {
  outputPathway: Float64Array;
  featurePathway: Float64Array;
  selfInfluence: Float64Array;
  trainObjective: Float64Array;
}

/** Identity: −q·g_i and ‖g_i‖², streamed. */
async function scoreIdentity(gradients: SequenceGradientModel, input: LmFullModelInput, query: Map<string, Float64Array>, head: Set<string>, scores: Scores, batchSize: number): Promise<void> {
  await forEachSequenceGradient(gradients, input.train, batchSize, (i, param, row) => {
    const q = query.get(param);
    if (!q) return;
    let dot = 0;
    let squares = 0;
    for (let k = 0; k < row.length; k++) (dot += q[k] * row[k]), (squares += row[k] * row[k]);
    (head.has(param) ? scores.outputPathway : scores.featurePathway)[i] -= dot;
    scores.selfInfluence[i] += squares;
  }, (i, value) => (scores.trainObjective[i] = value));
}

/** TRAK: hold Φ (projected), fit M, score −(M q)·g_i block by block. Returns λ and the curvature's description. */
async function scoreTrak(gradients: SequenceGradientModel, input: LmFullModelInput, query: Map<string, Float64Array>, head: Set<string>, scores: Scores, batchSize: number): Promise<{ damping: number; description: string }> {
  const layout = gradientLayout(gradients.gradients.outputs);
  const n = input.train.length;
  const offsets = new Map(layout.blocks.map((b) => [b.param, b.offset]));
  const phi = new Float32Array(n * layout.dim);
  await forEachSequenceGradient(gradients, input.train, batchSize, (i, param, row) => phi.set(row, i * layout.dim + offsets.get(param)!), (i, value) => (scores.trainObjective[i] = value));
  const ratio = input.damping ?? 0.1;
  const q = flattenByLayout(layout, query);
  let direction: Float64Array;
  let fitted: { damping: number; description: string };
  if (n < layout.dim) {
    const dual = await fitDualTrak(phi, n, layout.dim, ratio);
    direction = dual.apply(q);
    scores.selfInfluence.set(dual.selfInfluence());
    fitted = dual;
  } else {
    const matrix = { ...layout, rows: n, data: phi, labelled: new Uint8Array(n).fill(1), exampleCount: n };
    const primal = await fitTrakPreconditioner(matrix, ratio, 'empirical');
    direction = primal.apply(q);
    for (let i = 0; i < n; i++) {
      const g = Float64Array.from(phi.subarray(i * layout.dim, (i + 1) * layout.dim));
      scores.selfInfluence[i] = primal.apply(g).reduce((sum, value, k) => sum + value * g[k], 0);
    }
    fitted = primal;
  }
  for (let i = 0; i < n; i++) {
    for (const block of layout.blocks) {
      let dot = 0;
      for (let k = 0, base = i * layout.dim + block.offset; k < block.size; k++) dot += direction[block.offset + k] * phi[base + k];
      (head.has(block.param) ? scores.outputPathway : scores.featurePathway)[i] -= dot;
    }
  }
  return fitted;
}

export async function attributeLmPolicyFullModel(input: LmFullModelInput): Promise<LmFullModelAttribution> {
  checkInput(input);
  const model = decodeModel(input.modelBytes);
  const n = input.train.length;
  const headParams = input.headParams ?? findLmHeadParams(model);
  const projection = input.projection === null ? undefined : input.projection ?? DEFAULT_LM_PROJECTION;
  const preconditioner = input.preconditioner ?? 'identity';
  if (preconditioner === 'trak' && !projection) {
    throw new PolicyTraceError('the TRAK preconditioner holds every line\'s gradient: set a LoGra projection', { field: 'projection' }, 'chat.full-model');
  }
  const batchSize = input.batchSize ?? 32;
  const scores: Scores = { outputPathway: new Float64Array(n), featurePathway: new Float64Array(n), selfInfluence: new Float64Array(n), trainObjective: new Float64Array(n) };
  const length = longestSequence(input.train, input.covered.map((j) => input.probes.matching[j]), input.covered.map((j) => input.probes.notMatching[j]));
  const open = (objective: 'sequenceCrossEntropy' | 'sequenceMargin') => openSequenceGradients(model, input.train, length, projection, input.padId, input.modelFile, objective);
  let gradients = await open('sequenceCrossEntropy');
  let fitted: { damping: number; description: string } | undefined;
  try {
    if (input.covered.length > 0) {
      const query = await policyQuery(gradients, input, batchSize);
      if (input.trainGradient === 'margin') {
        await gradients.gradients.session.release();
        gradients = { ...(await open('sequenceMargin')), sign: -1 };
      }
      const head = new Set(headParams);
      if (preconditioner === 'trak') fitted = await scoreTrak(gradients, input, query, head, scores, batchSize);
      else await scoreIdentity(gradients, input, query, head, scores, batchSize);
    }
  } finally {
    await gradients.gradients.session.release();
  }
  const influence = new Float64Array(n);
  const relativeInfluence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    influence[i] = scores.outputPathway[i] + scores.featurePathway[i];
    relativeInfluence[i] = scores.selfInfluence[i] > 0 ? influence[i] / Math.sqrt(scores.selfInfluence[i]) : 0;
  }
  const parameters = gradients.gradients.outputs.map((o) => `${o.param}${o.kind === 'projected' ? ' (projected)' : ''}`);
  const method = [
    input.covered.length === 0
      ? 'full-model LM influence: no covered probes, all zero'
      : fitted
        ? `full-model LM influence −(M q)·g_i with ${fitted.description}`
        : 'full-model LM influence −q·g_i with the identity preconditioner',
    input.trainGradient === 'margin'
      ? 'g_i = minus the gradient of the summed per-token margins of the line\'s assistant tokens (no 1 − p factor)'
      : 'g_i = gradient of the summed cross-entropy of the line\'s assistant tokens',
    input.query === 'firstDivergent'
      ? 'q = mean over covered probes of ∇[log p(matching) − log p(not matching)] at the first token where the two answers differ'
      : 'q = mean over covered probes of ∇[log p(matching answer) − log p(not-matching answer)]',
    projection ? `LoGra projection kIn=${projection.kIn} kOut=${projection.kOut} seed=${projection.seed}` : 'unprojected gradients',
    `output pathway: ${headParams.join(', ')}`,
    gradients.gradients.skipped.length ? `no per-example gradient (left out of the score): ${gradients.gradients.skipped.map((s) => `${s.param}: ${s.reason}`).join('; ')}` : '',
  ].filter(Boolean).join('; ');
  return {
    influence,
    outputPathway: scores.outputPathway,
    featurePathway: scores.featurePathway,
    selfInfluence: scores.selfInfluence,
    relativeInfluence,
    trainObjective: scores.trainObjective,
    headParams,
    parameters,
    skipped: gradients.gradients.skipped,
    method,
    ...(fitted && { damping: fitted.damping }),
  };
}
