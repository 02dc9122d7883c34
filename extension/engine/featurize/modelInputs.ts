/**
 * Matching a featurizer's output to the model's declared inputs, so a wrong input name or dtype fails
 * when the audit starts, naming the inputs the model does have, not deep inside onnxruntime.
 */
import { PolicyTraceError } from '../errors';
import type { ValueDescription } from '../model/valueTypes';

/** The configured input name, else the model's only input, else `fallback`. */
export function chooseInputName(configured: string | undefined, inputs: ValueDescription[] | undefined, fallback: string, role: string): string {
  if (configured !== undefined) {
    if (inputs && inputs.length > 0 && !inputs.some((input) => input.name === configured)) {
      throw new PolicyTraceError(
        `the model has no input "${configured}"; its inputs are ${inputs.map((i) => `${i.name} (${i.type})`).join(', ')}`,
        { field: `featurizer.${role}` },
        'featurize.inputName',
      );
    }
    return configured;
  }
  if (inputs && inputs.length === 1) return inputs[0].name;
  return fallback;
}

export function findInput(name: string, inputs: ValueDescription[] | undefined): ValueDescription | undefined {
  return inputs?.find((input) => input.name === name);
}

/** The fixed length of axis 1 ([batch, length]) when the model declares one. */
export function fixedLength(input: ValueDescription | undefined): number | undefined {
  const dim = input?.shape?.[1];
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}
