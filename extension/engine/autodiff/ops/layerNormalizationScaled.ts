/**
 * dx of a unit-scale LayerNormalization core whose output is then scaled by a vector γ (the cores that
 * layerNormalizationPattern.ts fuses: x̂ = LN(x, 1, 0), y = x̂·γ + β). The Mul rule hands the core
 * g = dy·γ, and the general rule spends eight full-size kernels on r·(g − mean(g) − x̂·mean(g·x̂)). Here γ is
 * folded into two small matrices over the normalized axis, with C = I − 11ᵀ/d (centring):
 *   g − mean(g) = dy·(diag(γ)·C)      one [d, d] MatMul instead of Mul, ReduceMean, Sub;
 *   mean(g·x̂)  = (dy·x̂)·(γ/d)         a [d, 1] MatMul instead of Mul, ReduceMean; dy·x̂ is the very product
 *                                      γ's per-example gradient takes, which onnxruntime's common
 *                                      subexpression elimination computes once.
 * The same sums and products up to float rounding; diag(γ)·C and γ/d depend on initializers only, so
 * onnxruntime folds them into constants.
 */
import { GraphEmitter } from '../graphEmitter';

/**
 * The [d, d] product costs d multiply-adds per element (and a d² initializer) where the general rule spends a
 * handful of elementwise passes: it pays only while kernel overhead dominates, i.e. for narrow layers. Past
 * this width the general rule is kept (a 4096-wide LLM layer would get a 64 MB matrix and 4096× the flops).
 */
export const MAX_FOLDED_FEATURES = 64;

export interface ScaledNormInput {
  /** The gradient reaching the core's output x̂ (dy·γ from the scale's Mul rule). */
  dy: string;
  /** x̂, the core's output. */
  normalized: string;
  inverseStd: string;
  /** The normalized axes (in x's numbering). */
  axes: number[];
}

/** dx, or undefined when `dy` is not a plain dy·γ with γ a vector along the (single, last) normalized axis. */
export function scaledNormInputGradient(emit: GraphEmitter, { dy, normalized, inverseStd, axes }: ScaledNormInput): string | undefined {
  const scaling = emit.scalingOf(dy);
  const dims = emit.info(normalized).dims;
  const lastAxis = dims.length - 1;
  if (!scaling || scaling.op !== 'Mul' || axes.length !== 1 || axes[0] !== lastAxis) return undefined;
  const gamma = emit.infos.get(scaling.by);
  const features = dims[lastAxis];
  if (!(features > 0 && features <= MAX_FOLDED_FEATURES)) return undefined;
  // γ must be a vector along the last axis (leading 1s allowed), so that dy·γ changes no shape.
  if (!gamma || gamma.dims.length === 0 || gamma.dims[gamma.dims.length - 1] !== features || gamma.dims.slice(0, -1).some((d) => d !== 1)) return undefined;
  const dataType = emit.info(normalized).dataType;
  if (gamma.dataType !== dataType) return undefined;
  const upstream = scaling.input;

  const centring = new Array<number>(features * features);
  for (let i = 0; i < features; i++) for (let j = 0; j < features; j++) centring[i * features + j] = (i === j ? 1 : 0) - 1 / features;
  const gammaColumn = emit.node('Reshape', [scaling.by, emit.ints([features, 1])]);
  // Row i of C scaled by γ_i: (dy·diag(γ))·C.
  const scaledCentring = emit.node('Mul', [gammaColumn, emit.addInitializer('centring', dataType, [features, features], centring)]);
  const centred = emit.node('MatMul', [upstream, scaledCentring]);
  const meanOfProduct = emit.node('MatMul', [emit.node('Mul', [upstream, normalized]), emit.node('Mul', [gammaColumn, emit.scalar(1 / features, dataType)])]);
  return emit.node('Mul', [inverseStd, emit.node('Sub', [centred, emit.node('Mul', [normalized, meanOfProduct])])]);
}
