/**
 * Shapes shared by the LM-head attribution pipeline: token sequences in, the hidden states that feed the
 * lm_head out, and the head itself. The head is kept as W (V × d, row = vocabulary entry) plus an optional
 * bias; internally a bias becomes one more column of W against a constant-1 feature (see augmentedHead.ts).
 */

/** One tokenized conversation or probe response. targetMask[t] = 1 when token t is counted (predicted from t − 1). */
export interface TokenSequence {
  ids: Int32Array;
  targetMask: Uint8Array;
}

/**
 * Hidden states at the positions that predict a counted token, for a list of sequences:
 * row r holds h_{t−1} (d floats) and targets[r] = ids[t], for every t with targetMask[t] = 1.
 */
export interface TokenStates {
  /** rows × hiddenSize, row-major. */
  hidden: Float32Array;
  targets: Int32Array;
  /** Index of the sequence (in the input list) each row came from; non-decreasing. */
  sequenceOfRow: Int32Array;
  /** Number of input sequences (a sequence with no counted token has no rows but still counts). */
  sequences: number;
  hiddenSize: number;
}

export interface LmHead {
  /** V × d row-major, row v = the weights of vocabulary entry v. */
  weight: Float32Array;
  /** V values, or null when the lm_head has no bias (the usual case). */
  bias: Float32Array | null;
  vocabSize: number;
  hiddenSize: number;
}

/**
 * A/B probes: sequence j of `matching` and of `notMatching` is probe j's prompt followed by the response that
 * does / does not take the policy's action (targets = the response tokens and its <eos>).
 */
export interface AbProbeStates {
  matching: TokenStates;
  notMatching: TokenStates;
}

export type LmPreconditionerKind = 'identity' | 'kfac' | 'ekfac';
