/**
 * Inputs of head-only attribution, as the audit pipeline hands them over: the model's final linear layer,
 * the penultimate features of the training lines (with provenance) and of the probes, and one policy as
 * (covered probe indices, action class). The policy engine evaluates antecedents; this module never does.
 */
import type { Example } from '../data/example';

/**
 * The final linear layer. `softmax`: W is C × d (row = class), b has C entries.
 * `sigmoid`: one logit s = W·a + b (W is 1 × d, b has 1 entry), treated exactly as a two-class softmax with
 * logits [0, s]: class 1 is "positive", class 0 has no parameters of its own.
 */
export interface HeadWeights {
  W: Float32Array;
  b: Float32Array;
  kind: 'softmax' | 'sigmoid';
}

export type GroupKind = 'file' | 'group' | 'concept' | 'cluster';

export interface GroupKey {
  kind: GroupKind;
  name: string;
}

export interface TrainingSet {
  /** n × dim row-major penultimate features (Float64Array accepted too, e.g. for references). */
  features: Float32Array | Float64Array;
  dim: number;
  /** Gold class ids; −1 = unlabeled (skipped by attribution and retraining). */
  labels: Int32Array;
  /** Provenance, index-aligned with `features` rows. */
  examples: Example[];
  /** Optional group memberships per example (a line may sit in several groups). File groups are added from
   * `examples[i].file` automatically. */
  groups?: GroupKey[][];
}

export interface ProbeSet {
  /** m × dim row-major penultimate features. */
  features: Float32Array | Float64Array;
}

export interface PolicyQuery {
  policyId: string;
  /** Indices into the probe set of the probes whose input satisfies the policy's antecedent. */
  coveredProbes: ArrayLike<number>;
  /** Class id of the policy's action. */
  actionClass: number;
}

export interface AttributionInput {
  head: HeadWeights;
  train: TrainingSet;
  probes: ProbeSet;
  policy: PolicyQuery;
}

export type PreconditionerKind = 'identity' | 'trak' | 'exact';

export interface AttributionOptions {
  /** Default 'exact' when the head has at most `maxExactParams` parameters, else 'trak'. */
  preconditioner?: PreconditionerKind;
  /** Damping λ = dampingRatio × (mean eigenvalue = trace/p) of the curvature. Default 0.001 for 'exact' (the
   * L2 term already makes it positive definite), 0.1 for 'trak' and 'identity'. Ignored when `damping` is set. */
  dampingRatio?: number;
  /** Absolute damping λ, overriding `dampingRatio`. */
  damping?: number;
  /** L2 coefficient of the head objective (Hessian term l2·I). Pass the one used for retraining. Default 0. */
  l2?: number;
  /** TRAK projection dimension (default min(p, 512)). */
  projectionDim?: number;
  /** Seed of the TRAK projection. Default 0. */
  seed?: number;
  /** Order of proponents, opponents and the verified top-k: 'relative' (default) or 'effect' (see ranking.ts). */
  ranking?: 'relative' | 'effect';
  /** How many proponents and opponents to report. Default 20. */
  topLines?: number;
  /** k of the concentration figure. Default: topLines. */
  concentrationK?: number;
  /** Largest parameter count for which the exact Hessian is built. Default 2048. */
  maxExactParams?: number;
  /** Longest snippet kept per reported line (characters). Default 160. */
  snippetChars?: number;
}
