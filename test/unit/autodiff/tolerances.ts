/**
 * Every numeric tolerance of the autodiff tests, in one place.
 * Finite differences: central differences with step h have truncation error O(h²·f''') and rounding error
 * O(ε/h); h = 1e-6 in float64 keeps both near 1e-10, h = 1e-2 in float32 near 1e-4.
 */
export const FINITE_DIFFERENCE = {
  double: { step: 1e-6, relative: 1e-6, absolute: 1e-8 },
  float: { step: 1e-2, relative: 2e-2, absolute: 2e-3 },
} as const;

/** Per-example and summed gradients against torch autograd, max |Δ| / max |reference| per matrix (the brief asks ≤ 1e-5). */
export const TORCH_REFERENCE_RELATIVE = 1e-5;

/**
 * Gradients taken from probabilities (no Softmax to look through) against torch's logit gradients. float32
 * probabilities near 1 lose digits in 1 − p (measured up to 9.3e-6 at p ≈ 0.996), so allow 5× that.
 */
export const PROBABILITY_PATH_RELATIVE = 5e-5;
