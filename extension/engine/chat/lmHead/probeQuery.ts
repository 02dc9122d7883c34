/**
 * A/B behaviour of a head on probes, and the query gradients of a policy built from it.
 * margin_j = log p(matching_j | prompt_j) − log p(notMatching_j | prompt_j) (sums over each response's tokens
 * and its <eos>); agree rate = share of covered probes with margin > 0; strength = mean margin (nats).
 * Adherence is linearised like the classifier's (attribution/scales.ts): the smoothed agree rate
 * mean σ(m_j) has gradient mean σ(m_j)(1 − σ(m_j)) ∇m_j, additive over lines.
 */
import { PolicyTraceError } from '../../errors';
import { featureRows, type HeadParameters } from './augmentedHead';
import type { LmHeadKernels, RowSet } from './headKernels';
import type { AbProbeStates } from './types';

export interface AbBehaviour {
  /** Per covered probe, in the order of `covered`. */
  margins: Float64Array;
  /** Share of covered probes whose matching response is the more likely one. */
  agreeRate: number;
  /** Mean margin over covered probes (nats). */
  meanMargin: number;
  /** Mean σ(margin): the smoothed agree rate the Δ-agree predictions linearise. */
  smoothAgreeRate: number;
  covered: number[];
}

export interface PreparedProbes {
  matching: RowSet & { sequenceOfRow: Int32Array };
  notMatching: RowSet & { sequenceOfRow: Int32Array };
  covered: number[];
  probeCount: number;
}

export function prepareProbes(probes: AbProbeStates, parameters: HeadParameters, covered?: number[]): PreparedProbes {
  const probeCount = probes.matching.sequences;
  if (probes.notMatching.sequences !== probeCount) {
    throw new PolicyTraceError(
      `${probeCount} matching but ${probes.notMatching.sequences} non-matching probe responses`,
      { field: 'probes.notMatching' },
      'lm-head',
    );
  }
  const chosen = covered ?? Array.from({ length: probeCount }, (_, j) => j);
  if (chosen.length === 0) throw new PolicyTraceError('the policy covers no probes: nothing to measure', { field: 'covered' }, 'lm-head');
  for (const j of chosen) {
    if (!Number.isInteger(j) || j < 0 || j >= probeCount) {
      throw new PolicyTraceError(`covered probe ${j} is not in 0..${probeCount - 1}`, { field: 'covered' }, 'lm-head');
    }
  }
  const side = (states: AbProbeStates['matching']) => ({
    features: featureRows(states, parameters),
    targets: states.targets,
    sequenceOfRow: states.sequenceOfRow,
  });
  return { matching: side(probes.matching), notMatching: side(probes.notMatching), covered: chosen, probeCount };
}

function sumBySequence(values: Float64Array, sequenceOfRow: Int32Array, sequences: number): Float64Array {
  const out = new Float64Array(sequences);
  for (let r = 0; r < values.length; r++) out[sequenceOfRow[r]] += values[r];
  return out;
}

/** Row weights that turn Σ_t w_t (p_t − e_{y_t}) h̃_tᵀ into Σ_j c_j ∇m_j (∇ of a log-prob is −(p − e)h̃ᵀ). */
function queryWeights(probes: PreparedProbes, coefficient: Float64Array): { matching: Float32Array; notMatching: Float32Array } {
  const perProbe = new Float64Array(probes.probeCount);
  probes.covered.forEach((j, c) => (perProbe[j] += coefficient[c]));
  const side = (rows: PreparedProbes['matching'], sign: number) =>
    Float32Array.from(rows.sequenceOfRow, (j) => sign * perProbe[j]);
  return { matching: side(probes.matching, -1), notMatching: side(probes.notMatching, 1) };
}

function summarize(margins: Float64Array, covered: number[]): AbBehaviour {
  let agree = 0;
  let total = 0;
  let smooth = 0;
  for (const m of margins) {
    if (m > 0) agree++;
    total += m;
    smooth += 1 / (1 + Math.exp(-m));
  }
  const n = margins.length;
  return { margins, agreeRate: agree / n, meanMargin: total / n, smoothAgreeRate: smooth / n, covered };
}

async function marginsAndStrengthGradient(
  kernels: LmHeadKernels,
  theta: Float32Array,
  probes: PreparedProbes,
): Promise<{ behaviour: AbBehaviour; strengthQuery: Float64Array }> {
  const n = probes.covered.length;
  const weights = queryWeights(probes, new Float64Array(n).fill(1 / n));
  const matching = await kernels.lossGrad(theta, probes.matching, weights.matching);
  const notMatching = await kernels.lossGrad(theta, probes.notMatching, weights.notMatching);
  const logMatching = sumBySequence(matching.logp, probes.matching.sequenceOfRow, probes.probeCount);
  const logNot = sumBySequence(notMatching.logp, probes.notMatching.sequenceOfRow, probes.probeCount);
  const margins = Float64Array.from(probes.covered, (j) => logMatching[j] - logNot[j]);
  const strengthQuery = matching.grad.map((g, i) => g + notMatching.grad[i]);
  return { behaviour: summarize(margins, probes.covered), strengthQuery };
}

export async function probeBehaviour(kernels: LmHeadKernels, theta: Float32Array, probes: PreparedProbes): Promise<AbBehaviour> {
  return (await marginsAndStrengthGradient(kernels, theta, probes)).behaviour;
}

export interface PolicyQueries {
  behaviour: AbBehaviour;
  /** Q = ∇_W̃ mean margin (V × cols). */
  strength: Float64Array;
  /** ∇_W̃ mean σ(margin) (V × cols). */
  smoothAgree: Float64Array;
}

export async function policyQueries(kernels: LmHeadKernels, theta: Float32Array, probes: PreparedProbes): Promise<PolicyQueries> {
  const { behaviour, strengthQuery } = await marginsAndStrengthGradient(kernels, theta, probes);
  const n = probes.covered.length;
  const slopes = behaviour.margins.map((m) => {
    const p = 1 / (1 + Math.exp(-m));
    return (p * (1 - p)) / n;
  });
  const weights = queryWeights(probes, slopes);
  const matching = await kernels.lossGrad(theta, probes.matching, weights.matching);
  const notMatching = await kernels.lossGrad(theta, probes.notMatching, weights.notMatching);
  const smoothAgree = matching.grad.map((g, i) => g + notMatching.grad[i]);
  return { behaviour, strength: strengthQuery, smoothAgree };
}
