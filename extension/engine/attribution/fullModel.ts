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
 *
 * One policy here; an audit with several shares the training side through FullModelAttributor.
 */
import type { Example } from '../data/example';
import type { Featurizer } from '../featurize/featurizer';
import type { ProjectionOptions } from '../autodiff/projection';
import type { FisherKind } from './trakProjected';
import { FullModelAttributor } from './fullModelAttributor';

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
   * Folder of the on-disk gradient cache (a machine setting): the true-Fisher preconditioners ('trak' with
   * fisher 'true', 'kfac', 'ekfac') keep every line's per-class gradients there, keyed by its encoded input.
   */
  cacheDir?: string;
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

/** One policy's full-model attribution (an attributor opened, used once and released). */
export async function attributePolicyFullModel(input: FullModelAttributionInput): Promise<FullModelAttribution> {
  const { probes, coveredProbes, actionClass, conceptRows, ...trainingSide } = input;
  const attributor = FullModelAttributor.open(trainingSide);
  try {
    return await attributor.attribute({ probes, coveredProbes, actionClass, ...(conceptRows && { conceptRows }) });
  } finally {
    await attributor.dispose();
  }
}
