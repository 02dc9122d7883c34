/** Joining per-batch outputs along axis 0, the batch axis, into one tensor per output. */
import { PolicyTraceError } from '../errors';
import type { OutputTensor, Outputs } from './feeds';

export function concatBatches(batches: Outputs[]): Outputs {
  const result: Outputs = {};
  const first = batches[0];
  if (!first) return result;
  for (const name of Object.keys(first)) {
    const parts = batches.map((batch, index) => {
      const part = batch[name];
      if (!part) throw new PolicyTraceError(`batch ${index} has no output '${name}'`, { field: `output ${name}` }, 'runner');
      return part;
    });
    result[name] = concatTensors(name, parts);
  }
  return result;
}

function concatTensors(name: string, parts: OutputTensor[]): OutputTensor {
  const head = parts[0] as OutputTensor;
  if (parts.length === 1) return head;
  if (head.dims.length === 0) {
    throw new PolicyTraceError(`output '${name}' is a scalar, so batches cannot be joined along axis 0`, { field: `output ${name}` }, 'runner');
  }
  const inner = head.dims.slice(1);
  parts.forEach((part, index) => {
    if (part.type !== head.type || part.dims.length !== head.dims.length || part.dims.slice(1).some((d, i) => d !== inner[i])) {
      throw new PolicyTraceError(
        `output '${name}' of batch ${index} is ${part.type} [${part.dims}] but batch 0 gave ${head.type} [${head.dims}]; ` +
          `only axis 0 may differ between batches (pad inputs to one length)`,
        { field: `output ${name}` },
        'runner',
      );
    }
  });
  const dims = [parts.reduce((sum, p) => sum + (p.dims[0] as number), 0), ...inner];
  return { type: head.type, dims, data: joinData(parts.map((p) => p.data)) };
}

function joinData(chunks: OutputTensor['data'][]): OutputTensor['data'] {
  const first = chunks[0] as OutputTensor['data'];
  if (Array.isArray(first)) return ([] as string[]).concat(...(chunks as string[][]));
  const total = chunks.reduce((sum, c) => sum + c.length, 0);
  const Constructor = first.constructor as new (length: number) => Exclude<OutputTensor['data'], string[]>;
  const out = new Constructor(total);
  let offset = 0;
  for (const chunk of chunks as Exclude<OutputTensor['data'], string[]>[]) {
    (out as { set(a: ArrayLike<number | bigint>, o: number): void }).set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
