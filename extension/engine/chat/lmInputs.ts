/**
 * What a causal language model's ONNX signature asks for, read from the session's input metadata:
 * input_ids (required), attention_mask, position_ids, and past_key_values.{i}.key/value with their
 * present.{i}.key/value outputs (the Hugging Face / Optimum export names). Anything else is refused with
 * its name, since PolicyTrace would not know what to feed it.
 */
import { PolicyTraceError } from '../errors';
import type { TensorMetadata } from '../runner/messages';

export type IdType = 'int64' | 'int32';

export interface PastLayout {
  layers: number;
  /** Key/value heads and head size: past tensors are [batch, heads, pastLength, headSize]. */
  heads: number;
  headSize: number;
  /** Element type of the past tensors ('float32'). */
  type: string;
}

export interface LmInputs {
  idType: IdType;
  attentionMask?: IdType;
  positionIds?: IdType;
  past?: PastLayout;
  /** The output holding [batch, sequence, vocab] logits. */
  logits: string;
}

const PAST_INPUT = /^past_key_values\.(\d+)\.(key|value)$/;

export function detectLmInputs(inputs: readonly TensorMetadata[], outputNames: readonly string[], file?: string): LmInputs {
  const where = file ? { file } : {};
  const byName = new Map(inputs.map((input) => [input.name, input]));
  const ids = byName.get('input_ids');
  if (!ids) {
    throw new PolicyTraceError(`not a causal language model: it has no 'input_ids' input (its inputs: ${[...byName.keys()].join(', ')})`, where, 'chat.model');
  }
  const result: LmInputs = { idType: intType(ids, where), logits: chooseLogits(outputNames, where) };
  const pastInputs: TensorMetadata[] = [];
  for (const input of inputs) {
    if (input.name === 'input_ids') continue;
    if (input.name === 'attention_mask') result.attentionMask = intType(input, where);
    else if (input.name === 'position_ids') result.positionIds = intType(input, where);
    else if (PAST_INPUT.test(input.name)) pastInputs.push(input);
    else {
      throw new PolicyTraceError(
        `unsupported model input '${input.name}': a causal LM may take input_ids, attention_mask, position_ids and past_key_values.{i}.key/value`,
        { ...where, field: `input ${input.name}` },
        'chat.model',
      );
    }
  }
  if (pastInputs.length > 0) result.past = pastLayout(pastInputs, outputNames, where);
  return result;
}

function intType(input: TensorMetadata, where: { file?: string }): IdType {
  if (input.type === 'int64' || input.type === 'int32') return input.type;
  throw new PolicyTraceError(`input '${input.name}' is ${input.type ?? 'not a tensor'}; expected int64 or int32`, { ...where, field: `input ${input.name}` }, 'chat.model');
}

function chooseLogits(outputNames: readonly string[], where: { file?: string }): string {
  if (outputNames.includes('logits')) return 'logits';
  const first = outputNames.find((name) => !name.startsWith('present'));
  if (!first) throw new PolicyTraceError('the model has no logits output', where, 'chat.model');
  return first;
}

/** Every layer needs a key and a value, a matching present output, and fixed head counts to build an empty past. */
function pastLayout(pastInputs: TensorMetadata[], outputNames: readonly string[], where: { file?: string }): PastLayout {
  const layers = Math.max(...pastInputs.map((input) => Number(PAST_INPUT.exec(input.name)?.[1]))) + 1;
  const first = pastInputs[0];
  const shape = first.shape ?? [];
  const heads = shape[1];
  const headSize = shape[3];
  if (shape.length !== 4 || typeof heads !== 'number' || typeof headSize !== 'number' || heads <= 0 || headSize <= 0) {
    throw new PolicyTraceError(
      `input '${first.name}' has shape [${shape.join(', ')}]; expected [batch, heads, past_sequence, head_size] with fixed heads and head_size`,
      { ...where, field: `input ${first.name}` },
      'chat.model',
    );
  }
  if (first.type !== 'float32') {
    throw new PolicyTraceError(`input '${first.name}' is ${first.type ?? '?'}; only float32 past key/values are supported`, { ...where, field: `input ${first.name}` }, 'chat.model');
  }
  const names = new Set(pastInputs.map((input) => input.name));
  for (let layer = 0; layer < layers; layer++) {
    for (const part of ['key', 'value']) {
      const input = `past_key_values.${layer}.${part}`;
      if (!names.has(input)) throw new PolicyTraceError(`the model has past inputs but no '${input}'`, where, 'chat.model');
      const output = `present.${layer}.${part}`;
      if (!outputNames.includes(output)) throw new PolicyTraceError(`the model takes '${input}' but has no '${output}' output`, where, 'chat.model');
    }
  }
  return { layers, heads, headSize, type: first.type };
}
