/**
 * Finding the model and its companions from what the user points at: an .onnx file, or an exported-model
 * folder (Hugging Face / optimum layout `model.onnx` or `onnx/model.onnx`, or a folder with a single .onnx
 * such as `network.onnx`), with `tokenizer.json`, `vocab.json` and `config.json` looked up beside it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PolicyTraceError } from '../errors';

export interface Checkpoint {
  /** Absolute path of the .onnx file. */
  modelPath: string;
  /** The folder the companions were looked up in (the model's folder, or the parent of `onnx/`). */
  folder: string;
  tokenizerPath?: string;
  vocabPath?: string;
  configPath?: string;
  /** Class names in id order, from config.json `id2label`, when present. */
  classNames?: string[];
}

export async function resolveCheckpoint(pathOrDir: string): Promise<Checkpoint> {
  const target = path.resolve(pathOrDir);
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) throw new PolicyTraceError('no model file or folder at this path', { file: target }, 'model-not-found');
  const modelPath = stat.isDirectory() ? await findModelInFolder(target) : target;
  if (!stat.isDirectory() && !target.toLowerCase().endsWith('.onnx')) {
    throw new PolicyTraceError('expected an .onnx file or a folder holding one', { file: target }, 'model-not-found');
  }
  // For `<folder>/onnx/model.onnx` the tokenizer and config usually sit in `<folder>`, so look in both.
  const modelDir = path.dirname(modelPath);
  const searchDirs = stat.isDirectory() && modelDir !== target ? [modelDir, target] : [modelDir];
  const tokenizerPath = await firstFile(searchDirs, 'tokenizer.json');
  const vocabPath = await firstFile(searchDirs, 'vocab.json');
  const configPath = await firstFile(searchDirs, 'config.json');
  const classNames = configPath ? await readClassNames(configPath) : undefined;
  return {
    modelPath,
    folder: stat.isDirectory() ? target : modelDir,
    ...(tokenizerPath && { tokenizerPath }),
    ...(vocabPath && { vocabPath }),
    ...(configPath && { configPath }),
    ...(classNames && { classNames }),
  };
}

async function findModelInFolder(folder: string): Promise<string> {
  for (const candidate of ['model.onnx', path.join('onnx', 'model.onnx')]) {
    const file = path.join(folder, candidate);
    if (await isFile(file)) return file;
  }
  const onnxFiles = (await fs.readdir(folder)).filter((name) => name.toLowerCase().endsWith('.onnx')).sort();
  if (onnxFiles.length === 1) return path.join(folder, onnxFiles[0] as string);
  if (onnxFiles.length > 1) {
    throw new PolicyTraceError(
      `the folder holds ${onnxFiles.length} .onnx files (${onnxFiles.join(', ')}) and no model.onnx; point at one file`,
      { file: folder },
      'model-ambiguous',
    );
  }
  throw new PolicyTraceError(
    'the folder holds no model: looked for model.onnx, onnx/model.onnx and any single *.onnx',
    { file: folder },
    'model-not-found',
  );
}

async function firstFile(dirs: string[], name: string): Promise<string | undefined> {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (await isFile(file)) return file;
  }
  return undefined;
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((s) => s.isFile(), () => false);
}

/** `id2label` ({"0": "NEGATIVE", "1": "POSITIVE"}) as names in id order; a gap or bad JSON is an error. */
async function readClassNames(configPath: string): Promise<string[] | undefined> {
  let config: unknown;
  try {
    config = JSON.parse(await fs.readFile(configPath, 'utf8'));
  } catch (error) {
    throw new PolicyTraceError(`config.json is not valid JSON: ${(error as Error).message}`, { file: configPath }, 'config-invalid');
  }
  const id2label = (config as { id2label?: unknown } | null)?.id2label;
  if (id2label === undefined) return undefined;
  if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label)) {
    throw new PolicyTraceError('id2label must be an object of id → label', { file: configPath, field: 'id2label' }, 'config-invalid');
  }
  const entries = Object.entries(id2label as Record<string, unknown>);
  const names: string[] = new Array<string>(entries.length);
  for (const [key, value] of entries) {
    const id = Number(key);
    if (!Number.isInteger(id) || id < 0 || id >= entries.length || typeof value !== 'string') {
      throw new PolicyTraceError(
        `id2label entry "${key}": ${JSON.stringify(value)} is not a string label with an id in 0..${entries.length - 1}`,
        { file: configPath, field: `id2label.${key}` },
        'config-invalid',
      );
    }
    if (names[id] !== undefined) {
      throw new PolicyTraceError(`id2label gives id ${id} twice`, { file: configPath, field: `id2label.${key}` }, 'config-invalid');
    }
    names[id] = value;
  }
  return names;
}
