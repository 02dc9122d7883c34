/**
 * Influence of every training sequence on an A/B policy through the LM head.
 * Sign as in the classifier code: I_i = −⟨Q, P⁻¹ G_i⟩ > 0 means up-weighting line i pushes the model toward
 * the policy; removing it changes the mean margin by ≈ −I_i nats (predictedMarginChange). No V × d gradient is
 * stored per line: with R = P⁻¹Q, ⟨R, G_i⟩ = Σ_{t ∈ i} (p_t − e_{y_t})ᵀ R h̃_t, one onnxruntime pass over the tokens.
 * predictedAgreeChange linearises the agree rate through σ(margin) (see probeQuery.ts): the same formula with
 * Q replaced by ∇ mean σ(m_j); it adds up over lines and understates effects on confident probes.
 * Measured on the sycophancy fixture (K-FAC at the L2 = 0.01 baseline): the 60 top lines (all poison) predict
 * Δmargin −7.8 nats and Δagree −0.006, while retraining without them gives −21.4 nats and −0.91: the ranking is
 * right, the first-order sizes are too small on probes this confident, which is why verifyLmPolicy retrains.
 */
import { featureRows, headParameters } from './augmentedHead';
import { LmHeadKernels } from './headKernels';
import { buildLmPreconditioner, DEFAULT_PRECONDITIONER, type TrainRows } from './preconditioner';
import { policyQueries, prepareProbes, type AbBehaviour } from './probeQuery';
import type { AbProbeStates, LmHead, LmPreconditionerKind, TokenStates } from './types';

export interface LmInfluenceInput {
  head: LmHead;
  train: TokenStates;
  probes: AbProbeStates;
  /** Probe indices the policy covers (default: all). */
  covered?: number[];
  preconditioner?: LmPreconditionerKind;
  /** λ as a share of the curvature's mean eigenvalue (default per kind, see preconditioner.ts). */
  dampingRatio?: number;
  /**
   * The L2 of the token-mean objective `head` is the optimum of (e.g. the retrained baseline, see
   * attributeLmPolicy): its exact curvature l2 · tokens joins the damping. Default 0 (a head as shipped).
   */
  l2?: number;
  /** Absolute λ; overrides dampingRatio. */
  damping?: number;
  /** Reuse sessions across calls (they are released by the caller). */
  kernels?: LmHeadKernels;
}

export interface LmInfluenceResult {
  /** Per training sequence: nats of mean margin per unit of up-weighting. */
  influence: Float64Array;
  /** Per training sequence: first-order change of the mean margin (nats) if the line alone is removed (= −influence). */
  predictedMarginChange: Float64Array;
  /** Per training sequence: first-order change of the agree rate (share of covered probes) if removed. */
  predictedAgreeChange: Float64Array;
  method: LmPreconditionerKind;
  damping: number;
  dampingRatio: number;
  meanEigenvalue: number;
  /** The policy under the given head. */
  behaviour: AbBehaviour;
  timings: { curvatureMs: number; scoringMs: number };
}

export async function lmHeadInfluence(input: LmInfluenceInput): Promise<LmInfluenceResult> {
  const parameters = headParameters(input.head);
  const kernels = input.kernels ?? new LmHeadKernels(parameters.vocabSize, parameters.cols);
  try {
    const train: TrainRows = {
      features: featureRows(input.train, parameters),
      targets: input.train.targets,
      sequenceOfRow: input.train.sequenceOfRow,
      sequences: input.train.sequences,
    };
    const probes = prepareProbes(input.probes, parameters, input.covered);
    const theta = parameters.theta;
    const started = performance.now();
    const preconditioner = await buildLmPreconditioner(kernels, theta, train, {
      kind: input.preconditioner ?? DEFAULT_PRECONDITIONER,
      dampingRatio: input.dampingRatio,
      damping: input.damping,
      l2: input.l2,
    });
    const queries = await policyQueries(kernels, theta, probes);
    const towardStrength = Float32Array.from(preconditioner.apply(queries.strength));
    const towardAgree = Float32Array.from(preconditioner.apply(queries.smoothAgree));
    const curvatureMs = performance.now() - started;
    const [strengthRows, agreeRows] = await kernels.scores(theta, train, [towardStrength, towardAgree]);
    const n = train.sequences;
    const influence = new Float64Array(n);
    const predictedMarginChange = new Float64Array(n);
    const predictedAgreeChange = new Float64Array(n);
    for (let r = 0; r < strengthRows.length; r++) {
      const i = train.sequenceOfRow[r];
      influence[i] -= strengthRows[r];
      predictedMarginChange[i] += strengthRows[r];
      predictedAgreeChange[i] += agreeRows[r];
    }
    return {
      influence,
      predictedMarginChange,
      predictedAgreeChange,
      method: preconditioner.kind,
      damping: preconditioner.damping,
      dampingRatio: preconditioner.dampingRatio,
      meanEigenvalue: preconditioner.meanEigenvalue,
      behaviour: queries.behaviour,
      timings: { curvatureMs, scoringMs: performance.now() - started - curvatureMs },
    };
  } finally {
    if (!input.kernels) await kernels.release();
  }
}
