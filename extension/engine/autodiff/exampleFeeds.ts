/**
 * Synthetic example inputs for probing and benchmarking when the caller has no real examples at hand:
 * Gaussian floats, and integer ids kept inside every embedding table they index (so Gather stays valid).
 */
import { PolicyTraceError } from '../errors';
import { ModelProto, OnnxDataType } from '../model/onnxProto';
import { ExampleFeeds, ort } from './ort';
import { gaussianArray, seededRandom } from './random';

/** Symbolic non-batch dims (e.g. 'sequence') get this size in synthetic inputs. */
export const SYNTHETIC_SYMBOLIC_DIM = 8;

function idBound(model: ModelProto, input: string): number {
  const initializers = new Map((model.graph?.initializer ?? []).map((t) => [t.name, t]));
  let bound = Infinity;
  for (const node of model.graph?.node ?? []) {
    if (node.opType !== 'Gather' || node.input?.[1] !== input) continue;
    const table = initializers.get(node.input[0]);
    const axis = node.attribute?.find((a) => a.name === 'axis')?.i ?? 0;
    if (table?.dims) bound = Math.min(bound, table.dims[axis < 0 ? axis + table.dims.length : axis]);
  }
  return Number.isFinite(bound) ? bound : 2;
}

export function synthesizeExampleFeeds(model: ModelProto, batch: number, seed = 1): ExampleFeeds {
  const initializerNames = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const feeds: ExampleFeeds = {};
  let inputIndex = 0;
  for (const input of model.graph?.input ?? []) {
    if (!input.name || initializerNames.has(input.name)) continue;
    const tensorType = input.type?.tensorType;
    const dims = (tensorType?.shape?.dim ?? []).map((d, axis) =>
      axis === 0 ? batch : d.dimValue && d.dimValue > 0 ? d.dimValue : SYNTHETIC_SYMBOLIC_DIM,
    );
    const count = dims.reduce((a, b) => a * b, 1);
    const inputSeed = seed * 7919 + inputIndex++;
    switch (tensorType?.elemType) {
      case OnnxDataType.FLOAT:
        feeds[input.name] = new (ort().Tensor)('float32', Float32Array.from(gaussianArray(count, inputSeed)), dims);
        break;
      case OnnxDataType.DOUBLE:
        feeds[input.name] = new (ort().Tensor)('float64', gaussianArray(count, inputSeed), dims);
        break;
      case OnnxDataType.INT64:
      case OnnxDataType.INT32: {
        const bound = idBound(model, input.name);
        const uniform = seededRandom(inputSeed);
        const ids = Array.from({ length: count }, () => Math.floor(uniform() * bound));
        feeds[input.name] =
          tensorType.elemType === OnnxDataType.INT64
            ? new (ort().Tensor)('int64', BigInt64Array.from(ids, BigInt), dims)
            : new (ort().Tensor)('int32', Int32Array.from(ids), dims);
        break;
      }
      default:
        throw new PolicyTraceError(
          `cannot synthesize probe values for input '${input.name}' of ONNX type ${tensorType?.elemType}; pass probeExamples`,
          { field: input.name },
          'probe-input',
        );
    }
  }
  return feeds;
}
