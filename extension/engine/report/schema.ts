/**
 * The audit report: one versioned JSON document that the CLI writes and the editor reads.
 * Bump REPORT_SCHEMA_VERSION on any breaking change; readers refuse versions they do not know.
 * Every score carries a unit and a one-sentence explanation (`ScoreScale`) so numbers are never bare.
 */
export const REPORT_SCHEMA_VERSION = 1;

export interface ScoreScale {
  /** e.g. "Δ adherence (share of covered probes)" */
  unit: string;
  /** One sentence: sign, unit and scale. */
  explanation: string;
}

export interface SourceRef {
  file: string;
  /** 1-based first line of the record. */
  line: number;
  endLine: number;
  byteOffset: number;
  byteLength: number;
  id: string;
}

export interface ModelSummary {
  path: string;
  sha256: string;
  inputs: { name: string; type: string; shape: (number | string)[] }[];
  outputs: { name: string; type: string; shape: (number | string)[] }[];
  opset: number;
  opCounts: Record<string, number>;
  parameterCount: number;
  classes: string[];
  head?: { node: string; op: string; inputDim: number; outputDim: number; featureTensor: string };
  headMissingReason?: string;
}

export interface DatasetSummaryEntry {
  file: string;
  role: 'train' | 'probe';
  format: string;
  records: number;
  used: number;
  skipped: number;
  issues: { file: string; line: number; message: string }[];
}

export interface SplitMetrics {
  split: string;
  examples: number;
  /** Present when the examples have gold labels. */
  accuracy?: number;
  predictedClassCounts: Record<string, number>;
}

export interface PredictionRow extends SourceRef {
  role: 'train' | 'probe';
  label?: string;
  predicted: string;
  confidence: number;
}

export interface PolicyMetrics {
  /** Share of covered held-out probes where the model takes the rule's action. */
  precision: number;
  /** Share of held-out probes the antecedent covers. */
  coverage: number;
  support: number;
  /** Mean margin log p(a|x) − log(1 − p(a|x)) over covered probes (nats). */
  meanMargin: number;
  /** Share of covered probes where the model takes the action (same as precision on the probe set). */
  adherence: number;
  /** Same antecedent on the training labels: share of covered training lines labelled with the action. */
  trainLabelPrecision?: number;
  trainSupport?: number;
  /** Share of bootstrap resamples whose learned list contains this rule. */
  stability?: number;
  /** Share of the evaluated probes where the model takes the action at all (what precision is compared with). */
  baseRate?: number;
  /** Which probes the metrics were measured on: the held-out part (extracted rules) or all probes (hypotheses). */
  evaluatedOn?: 'held-out' | 'all-probes';
}

export interface CounterfactualResult {
  edited: number;
  flippedToAction: number;
  flippedAway: number;
  /** Share of edited probes whose decision changed in the direction the rule predicts. */
  flipRate: number;
  description: string;
  /** False when no edit can toggle the antecedent (no contains(...) condition) or no model callback was given. */
  available?: boolean;
  /** Edits that make the antecedent true on probes not taking the action (of `edited`). */
  toActionEdited?: number;
  /** Edits that make the antecedent false on covered probes taking the action (of `edited`). */
  awayEdited?: number;
}

export interface Policy {
  id: string;
  /** Human readable rule text, e.g. `contains("kindly") -> escalate`. */
  rule: string;
  conditions: string[];
  action: string;
  origin: 'extracted' | 'hypothesis';
  /**
   * True for an extracted rule that characterises the list's default action (e.g. "short inputs → negative"
   * when negative is the default): a real policy, but not part of the decision list, so fidelity ignores it.
   */
  describesDefault?: boolean;
  metrics: PolicyMetrics;
  counterfactual?: CounterfactualResult;
}

export interface PolicySet {
  fidelity: number;
  kappa: number;
  defaultAction: string;
  probeCount: number;
  heldOutCount: number;
  policies: Policy[];
  /** Seed of the held-out split and bootstrap, so a run can be repeated exactly. */
  seed?: number;
  /** Bootstrap resamples behind `stability`. */
  bootstrapResamples?: number;
  /** Candidate concepts the learner searched over. */
  candidateConcepts?: number;
}

export interface AttributedLine extends SourceRef {
  label?: string;
  snippet: string;
  /** Raw influence ∇f_Rᵀ H⁻¹ ∇L (positive = pushes toward the policy). */
  influence: number;
  /** Predicted change in the policy's strength (mean margin, nats) if this line were removed. */
  deltaStrength: number;
  /** Predicted change in adherence (share of covered probes) if this line were removed. */
  deltaAdherence: number;
  selfInfluence?: number;
  /** influence / √selfInfluence: how squarely the line pushes toward the policy, whatever its loss (see `scales.relativeInfluence`). */
  relativeInfluence?: number;
}

export interface GroupScore {
  kind: 'file' | 'group' | 'concept' | 'cluster';
  name: string;
  lines: number;
  deltaStrength: number;
  deltaAdherence: number;
}

export interface VerificationRun {
  removed: number;
  seed?: number;
  strength: number;
  adherence: number;
}

export interface Verification {
  k: number;
  baseline: { strength: number; adherence: number };
  flagged: VerificationRun;
  random: VerificationRun[];
  /** Strength/adherence after removing the flagged lines vs the mean of random removals. */
  adherenceDropFlagged: number;
  adherenceDropRandomMean: number;
  strengthDropFlagged: number;
  strengthDropRandomMean: number;
  /** Curve for the chart: removing the top n flagged lines vs n random lines. */
  curve: { removed: number; flaggedStrength: number; randomStrength: number }[];
  verified: boolean;
  verdict: string;
  /** The rule `verified` applies, in words. */
  rule?: string;
  /** How the head was retrained: the L2 used, the share of probes where θ_full (the baseline) decides like the
   * original head, and the policy's strength/adherence under the original head for comparison. */
  retraining?: { method: string; l2: number; probeAgreement?: number; original: { strength: number; adherence: number } };
}

export interface PolicyAttribution {
  policyId: string;
  method: { gradients: 'head' | 'full'; preconditioner: string; damping: number; projection?: number; ranking?: 'relative' | 'effect' };
  scales: { influence: ScoreScale; deltaStrength: ScoreScale; deltaAdherence: ScoreScale; relativeInfluence?: ScoreScale };
  proponents: AttributedLine[];
  opponents: AttributedLine[];
  groups: GroupScore[];
  /**
   * How much of the policy the top-k supporters carry: topShare = −Σ_top-k Δstrength / strength, the predicted
   * share of the policy's strength (mean margin above 0) that removing them takes away, next to k/n. null when
   * the model does not follow the policy (strength ≤ 0): there is no strength for any line to carry.
   * `summary` says it in one sentence.
   */
  concentration: { k: number; topShare: number | null; uniformShare: number; summary: string };
  verification?: Verification;
  /**
   * The rule's own group verified jointly: training lines whose input satisfies the antecedent and whose label
   * is the action, removed together (vs as many random lines). Per-line rankings miss poison the head has
   * already fitted (vanishing gradients); the symbolic group does not.
   */
  groupVerification?: Verification & { group: string };
  /**
   * Where the policy's support acts (attribution/pathwaySplit.ts): Σ influence through the head (output pathway)
   * and through earlier layers (feature pathway) over the `proponents` lines the full-model section lists, and the
   * same over every training line (`allLines`), which the lines with the largest gradients decide. Reports written
   * before 2026-11-26 have neither `proponents` nor `allLines`: their output and feature are the all-lines sums.
   */
  pathways?: { output: number; feature: number; proponents?: number; allLines?: { output: number; feature: number } };
  /**
   * Why there is no `fullModel` section although options.gradients = "full" (e.g. an op of the model has no
   * gradient rule): the attribution above is then head-only.
   */
  fullModelFallback?: string;
  /** Full-model attribution (options.gradients = "full"): lines ranked by influence through every layer. */
  fullModel?: {
    method: string;
    scale: ScoreScale;
    /** Strongest first by relative influence (influence / √(g_iᵀ M g_i)), as head-only lines are ordered. */
    proponents: (SourceRef & { label?: string; snippet: string; influence: number; outputPathway: number; featurePathway: number; relativeInfluence?: number })[];
    /**
     * Influence through the embedding rows of the words the rule names ("what these lines taught the model
     * these words mean"): only lines containing the words have any; the sign says which way they taught it.
     */
    concept?: {
      words: string[];
      param: string;
      method: string;
      scale: ScoreScale;
      proponents: (SourceRef & { label?: string; snippet: string; influence: number })[];
      opponents: (SourceRef & { label?: string; snippet: string; influence: number })[];
    };
    /** Why there is no `concept` section, or which of the rule's words it could not include. */
    conceptNote?: string;
  };
}

export interface AuditReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'policytrace'; version: string };
  createdAt: string;
  specPath?: string;
  workspaceRoot?: string;
  model: ModelSummary;
  datasets: DatasetSummaryEntry[];
  metrics: SplitMetrics[];
  predictions: PredictionRow[];
  policies?: PolicySet;
  attribution?: PolicyAttribution[];
  warnings: string[];
  timings: Record<string, number>;
  /** The on-disk forward cache, when one was used: records reused (hits) and run through the model (misses). */
  cache?: { folder: string; hits: number; misses: number };
  /** The on-disk cache of full-model per-class gradients (gradients "full"), when one was used. */
  gradientCache?: { folder: string; hits: number; misses: number };
}
