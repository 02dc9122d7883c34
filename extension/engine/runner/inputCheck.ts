/**
 * Checking a batch of feeds against the model's declared inputs before it is run, so a wrong dtype or shape
 * fails on the calling thread with a message that names the input and what the model expects, instead of
 * onnxruntime's terse one from inside the worker.
 */
import { PolicyTraceError } from '../errors';
import type { FeedTensor, Feeds } from './feeds';
import type { TensorMetadata } from './messages';

/** `file` (the model's path, when known) prefixes every message, as PolicyTraceError locations do. */
export function checkFeeds(feeds: Feeds, inputs: readonly TensorMetadata[], batchIndex: number, file?: string): void {
  const where = `batch ${batchIndex}`;
  const location = file ? { file } : {};
  const expected = inputs.map((i) => i.name);
  for (const name of Object.keys(feeds)) {
    if (!expected.includes(name)) {
      throw new PolicyTraceError(`${where}: the model has no input '${name}' (its inputs: ${expected.join(', ')})`, location, 'bad-input');
    }
  }
  const symbols = new Map<string, { value: number; input: string }>();
  for (const input of inputs) {
    const feed = feeds[input.name];
    const expects = `the model expects ${input.type ?? '?'} ${formatDims(input.shape)}`;
    if (!feed) throw new PolicyTraceError(`${where}: input '${input.name}' is missing; ${expects}`, location, 'bad-input');
    const got = `got ${feed.type} ${formatDims(feed.dims)}`;
    const fail = (why: string): never => {
      throw new PolicyTraceError(`${where}: input '${input.name}' ${why}: ${got}, ${expects}`, location, 'bad-input');
    };
    if (input.type && feed.type !== input.type) fail('has the wrong element type');
    checkDataLength(feed, fail);
    const shape = input.shape;
    // onnxruntime reports an undeclared shape as [], indistinguishable from a scalar: check nothing then.
    if (!shape || shape.length === 0) continue;
    if (shape.length !== feed.dims.length) fail(`has rank ${feed.dims.length} instead of ${shape.length}`);
    shape.forEach((dim, axis) => {
      const actual = feed.dims[axis] as number;
      if (typeof dim === 'number' && dim >= 0 && dim !== actual) fail(`has ${actual} instead of ${dim} on axis ${axis}`);
      if (typeof dim === 'string' && dim !== '') {
        // A named symbolic dim (e.g. 'batch') must take one value across all inputs of a batch.
        const seen = symbols.get(dim);
        if (seen && seen.value !== actual) fail(`has ${dim}=${actual} on axis ${axis} but input '${seen.input}' has ${dim}=${seen.value}`);
        symbols.set(dim, { value: actual, input: input.name });
      }
    });
  }
}

function checkDataLength(feed: FeedTensor, fail: (why: string) => never): void {
  if (!feed.dims.every((d) => Number.isInteger(d) && d >= 0)) fail('has a negative or fractional dim');
  const count = feed.dims.reduce((a, b) => a * b, 1);
  if (feed.data.length !== count) fail(`holds ${feed.data.length} values where its dims need ${count}`);
}

function formatDims(dims: readonly (number | string)[] | undefined): string {
  if (!dims) return '[unknown shape]';
  return `[${dims.map((d) => (d === '' || (typeof d === 'number' && d < 0) ? '?' : d)).join(', ')}]`;
}
