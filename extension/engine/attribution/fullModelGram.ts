/**
 * ΦᵀΦ for the full-model preconditioners as an onnxruntime Gemm (transA = 1) over row chunks: the plain-JS
 * loop runs at ~1 GFLOP/s, which made a true-Fisher Gram of 12k rows × 900 coordinates take ~30 s; ORT's
 * Gemm is one to two orders faster. Each chunk is multiplied in Float32 (the rows are Float32 already) and the
 * chunks are summed in Float64.
 */
import { createSession, ort } from '../autodiff/ort';
import { encodeModel, OnnxDataType, type ModelProto } from '../model/onnxProto';

const CHUNK_ROWS = 2048;

function gramModel(): Uint8Array {
  const dims = (names: (string | number)[]) => ({ dim: names.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });
  const model: ModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'policytrace_gram',
      node: [{ name: 'gram', opType: 'Gemm', input: ['x', 'x'], output: ['gram'], attribute: [{ name: 'transA', type: 2, i: 1 }] }],
      input: [{ name: 'x', type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: dims(['rows', 'cols']) } } }],
      output: [{ name: 'gram', type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: dims(['cols', 'cols']) } } }],
    },
  };
  return encodeModel(model);
}

/** Σ over rows of x xᵀ / divisor, for `data` holding rows × cols (row-major), as a cols × cols Float64Array. */
export async function gramOverRows(data: Float32Array, rows: number, cols: number, divisor: number): Promise<Float64Array> {
  const session = await createSession(gramModel());
  const out = new Float64Array(cols * cols);
  try {
    for (let start = 0; start < rows; start += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, rows - start);
      const x = new (ort().Tensor)('float32', data.subarray(start * cols, (start + count) * cols), [count, cols]);
      const result = await session.run({ x });
      const gram = result.gram.data as Float32Array;
      for (let j = 0; j < gram.length; j++) out[j] += gram[j] / divisor;
    }
  } finally {
    await session.release();
  }
  return out;
}
