/**
 * LoGra-style random projections: fixed Gaussian matrices (entries N(0, 1/k)) seeded from the user's seed and
 * the parameter name, stored as initializers so the gradient model is self-contained and reproducible.
 */
import { GraphEmitter } from './graphEmitter';
import { gaussianArray, hashString } from './random';

export interface ProjectionOptions {
  /** Projected size of the layer input side (activations). */
  kIn: number;
  /** Projected size of the layer output side (output gradients). */
  kOut: number;
  seed: number;
}

/** A [features, k] initializer: multiplying [.., features] rows by it projects them to k dims. */
export function projectionMatrix(emit: GraphEmitter, param: string, side: 'in' | 'out', features: number, k: number, seed: number, dataType: number): string {
  const values = gaussianArray(features * k, (seed ^ hashString(`${param}/${side}`)) >>> 0);
  const scale = 1 / Math.sqrt(k);
  for (let i = 0; i < values.length; i++) values[i] *= scale;
  return emit.addInitializer(`projection/${param}/${side}`, dataType, [features, k], values);
}
