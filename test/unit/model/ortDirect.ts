/** Running a model with onnxruntime on the test's own thread: the reference the worker runner is checked against. */
import * as ort from 'onnxruntime-node';

export async function runDirect(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    return (await session.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await session.release();
  }
}

export function floatData(tensor: ort.Tensor | undefined): Float32Array {
  if (!tensor || !(tensor.data instanceof Float32Array)) throw new Error('expected a float32 tensor');
  return tensor.data;
}

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const difference = Math.abs((actual[i] as number) - (expected[i] as number));
    if (!(difference <= tolerance)) throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]} (|Δ| ${difference} > ${tolerance})`);
  }
}

/** logits[n, c] = Σ_k features[n, k] · W[c, k] + b[c] with W row-major C × d. */
export function applyHead(features: Float32Array, weight: Float32Array, bias: Float32Array): Float32Array {
  const classes = bias.length;
  const width = weight.length / classes;
  const rows = features.length / width;
  const out = new Float32Array(rows * classes);
  for (let n = 0; n < rows; n++) {
    for (let c = 0; c < classes; c++) {
      let sum = bias[c] as number;
      for (let k = 0; k < width; k++) sum += (features[n * width + k] as number) * (weight[c * width + k] as number);
      out[n * classes + c] = sum;
    }
  }
  return out;
}
