/**
 * Reading model bytes into a validated ModelProto. Every way a file can fail to be a usable ONNX model
 * (missing, empty, cut short, not ONNX at all, weights in an external file) becomes a PolicyTraceError
 * that names the file and says what to do, instead of a protobuf stack trace.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';
import { decodeModel, GraphProto, ModelProto, TensorProto } from './onnxProto';

export interface LoadedModel {
  /** Absolute path of the .onnx file. */
  file: string;
  bytes: Uint8Array;
  model: ModelProto;
  graph: GraphProto;
}

/** Reads and validates one .onnx file (not a folder: see resolveCheckpoint for those). */
export async function loadModelFile(file: string): Promise<LoadedModel> {
  const absolute = path.resolve(file);
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PolicyTraceError('model file not found', { file: absolute }, 'model-not-found');
    if (code === 'EISDIR') {
      throw new PolicyTraceError('expected an .onnx file but found a folder', { file: absolute }, 'model-not-found');
    }
    throw new PolicyTraceError(`cannot read the model: ${(error as Error).message}`, { file: absolute }, 'model-unreadable');
  }
  const model = decodeModelBytes(bytes, absolute);
  await checkExternalData(model.graph as GraphProto, absolute);
  return { file: absolute, bytes, model, graph: model.graph as GraphProto };
}

/**
 * Decodes and structurally checks model bytes. `label` names the source in messages (a path, or e.g.
 * 'model bytes' when the bytes came from memory).
 */
export function decodeModelBytes(bytes: Uint8Array, label: string): ModelProto {
  const where = { file: label };
  if (bytes.length === 0) throw new PolicyTraceError('the model file is empty (0 bytes)', where, 'model-invalid');
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    throw new PolicyTraceError(explainDecodeFailure(bytes, (error as Error).message), where, 'model-invalid');
  }
  if (!model.graph || !model.irVersion) {
    throw new PolicyTraceError(
      `not an ONNX model: the ${bytes.length}-byte file decodes without ${model.graph ? 'an IR version' : 'a graph'}` +
        `${looksLikeText(bytes) ? ` (it looks like a text file${looksLikeJson(bytes) ? ', JSON' : ''})` : ''}`,
      where,
      'model-invalid',
    );
  }
  checkGraphIsComplete(model.graph, label);
  return model;
}

function explainDecodeFailure(bytes: Uint8Array, protobufMessage: string): string {
  if (looksLikeJson(bytes)) return `not an ONNX model: the file is JSON text, not a protobuf ModelProto`;
  if (looksLikeText(bytes)) return `not an ONNX model: the file is text, not a protobuf ModelProto`;
  if (/index out of range/i.test(protobufMessage)) {
    return `the ONNX file ends early: a field runs past the end of its ${bytes.length} bytes, so the file is truncated ` +
      `(an interrupted download or copy?) (protobuf: ${protobufMessage})`;
  }
  return `not a valid ONNX model: protobuf decoding failed (${protobufMessage})`;
}

/**
 * A truncated file can still decode when it is cut between fields; what gives it away is a node that reads a
 * tensor nothing defines, or an output nothing produces.
 */
function checkGraphIsComplete(graph: GraphProto, label: string): void {
  const defined = new Set<string>(['']);
  for (const input of graph.input ?? []) defined.add(input.name ?? '');
  for (const init of graph.initializer ?? []) defined.add(init.name ?? '');
  const nodes = graph.node ?? [];
  if (nodes.length === 0) {
    throw new PolicyTraceError('the model graph has no nodes (an empty or truncated file?)', { file: label }, 'model-invalid');
  }
  for (const node of nodes) for (const output of node.output ?? []) defined.add(output);
  // Nodes may legally appear in any order only if they are topologically sorted; onnxruntime requires
  // every name to be defined somewhere, which is what we check (order is ORT's to judge).
  for (const node of nodes) {
    for (const input of node.input ?? []) {
      if (!defined.has(input)) {
        throw new PolicyTraceError(
          `reads tensor '${input}', which no node, input or initializer defines (the file may be truncated)`,
          { file: label, node: node.name ?? '', op: node.opType ?? '' },
          'model-invalid',
        );
      }
    }
  }
  for (const output of graph.output ?? []) {
    if (!defined.has(output.name ?? '')) {
      throw new PolicyTraceError(
        `graph output '${output.name}' is produced by no node (the file may be truncated)`,
        { file: label },
        'model-invalid',
      );
    }
  }
}

const EXTERNAL = 1;

/** Tensors whose bytes live outside the .onnx file: initializers and Constant-node values. */
function externalTensors(graph: GraphProto): TensorProto[] {
  const tensors = (graph.initializer ?? []).filter((t) => t.dataLocation === EXTERNAL);
  for (const node of graph.node ?? []) {
    for (const attr of node.attribute ?? []) if (attr.t?.dataLocation === EXTERNAL) tensors.push(attr.t);
  }
  return tensors;
}

/**
 * External data is refused for now (prepareModel rewrites models from bytes, and an in-memory model cannot
 * reach its side files), but the message names the tensor and where its data file is or should be.
 */
export async function checkExternalData(graph: GraphProto, file: string): Promise<void> {
  const first = externalTensors(graph)[0];
  if (!first) return;
  const dataPath = path.resolve(path.dirname(file), externalLocation(first));
  const present = await fs.stat(dataPath).then((s) => s.isFile(), () => false);
  throw externalDataError(graph, file, { dataPath, present });
}

/** The same refusal for models given as bytes (no folder to look for the data file in). */
export function assertNoExternalData(graph: GraphProto, label: string): void {
  if (externalTensors(graph).length > 0) throw externalDataError(graph, label);
}

function externalLocation(tensor: TensorProto): string {
  return tensor.externalData?.find((entry) => entry.key === 'location')?.value ?? '(no location given)';
}

function externalDataError(graph: GraphProto, file: string, found?: { dataPath: string; present: boolean }): PolicyTraceError {
  const tensors = externalTensors(graph);
  const first = tensors[0] as TensorProto;
  const where = found ? ` (${found.present ? 'present' : 'missing'}: ${found.dataPath})` : '';
  return new PolicyTraceError(
    `initializer '${first.name}'${tensors.length > 1 ? ` (and ${tensors.length - 1} more tensors)` : ''} keeps its ` +
      `data in the external file '${externalLocation(first)}'${where}. PolicyTrace does not load ONNX external data yet; ` +
      `re-save the model with its tensors inside the .onnx ` +
      `(python: onnx.save_model(onnx.load(path), out_path, save_as_external_data=False)).`,
    { file, field: `initializer ${first.name}` },
    'external-data',
  );
}

/** True when the first bytes are printable text (models start with binary protobuf tags). */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, Math.min(bytes.length, 256));
  return head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 0xc2);
}

function looksLikeJson(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes.subarray(0, 64)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.startsWith('{') || text.startsWith('[');
}
