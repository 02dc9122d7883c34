/** Central finite differences of L = Σ_k Σ y_k·r_k with respect to every element of every differentiated input. */
import * as assert from 'node:assert/strict';
import { createSession, ExampleFeeds, ort, OrtTensor } from '../../../extension/engine/autodiff/ort';
import { BuiltOpCase } from './opCaseModel';

function objective(results: Record<string, OrtTensor>, seeds: BuiltOpCase['seeds']): number {
  let total = 0;
  for (const { output, seed } of seeds) {
    const y = results[output].data as Float64Array | Float32Array;
    const r = seed.data as Float64Array | Float32Array;
    for (let i = 0; i < y.length; i++) total += y[i] * r[i];
  }
  return total;
}

function withElement(tensor: OrtTensor, index: number, delta: number): OrtTensor {
  const data = (tensor.data as Float64Array | Float32Array).slice();
  data[index] += delta;
  return new (ort().Tensor)(tensor.type as 'float64', data as Float64Array, tensor.dims);
}

/** input name → numeric gradient (Float64Array, same element order as the input). */
export async function finiteDifferenceGradients(built: BuiltOpCase, step: number): Promise<Map<string, Float64Array>> {
  const session = await createSession(built.forward);
  const outputs = built.seeds.map((s) => s.output);
  const gradients = new Map<string, Float64Array>();
  for (const { input } of built.wrt) {
    const base = built.feeds[input];
    const numeric = new Float64Array(base.size);
    for (let i = 0; i < base.size; i++) {
      const plus: ExampleFeeds = { ...built.feeds, [input]: withElement(base, i, step) };
      const minus: ExampleFeeds = { ...built.feeds, [input]: withElement(base, i, -step) };
      const up = objective(await session.run(plus, outputs), built.seeds);
      const down = objective(await session.run(minus, outputs), built.seeds);
      numeric[i] = (up - down) / (2 * step);
    }
    gradients.set(input, numeric);
  }
  await session.release();
  return gradients;
}

/** Asserts every analytic gradient of `built.wrt` has its input's dims and matches central finite differences. */
export async function assertMatchesFiniteDifferences(
  built: BuiltOpCase,
  analytic: Record<string, OrtTensor>,
  tolerance: { step: number; absolute: number; relative: number },
): Promise<void> {
  const numeric = await finiteDifferenceGradients(built, tolerance.step);
  for (const { input, gradient } of built.wrt) {
    const got = analytic[gradient].data as Float64Array;
    const want = numeric.get(input)!;
    assert.deepStrictEqual([...analytic[gradient].dims], [...built.feeds[input].dims], `gradient of ${input} has the input's dims`);
    const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    want.forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= tolerance.absolute + tolerance.relative * scale, `${input}[${i}]: analytic ${got[i]} vs numeric ${w}`));
  }
}
