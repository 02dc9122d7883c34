/**
 * What the full-model objectives differentiate: the model's logits, with a single-logit binary classifier lifted
 * to two classes, and the number of classes the true Fisher sums over.
 */
import { PolicyTraceError } from '../errors';
import { resolveObjectiveTarget } from '../autodiff/objective';
import type { ModelProto } from '../model/onnxProto';

/**
 * A model with one logit column (sigmoid/threshold binary classifier) gets two-class logits [0, z]:
 * softmax([0, z]) = [1 − σ(z), σ(z)], so cross-entropy and the margin of class 1 (= z) are exactly the binary ones.
 */
export function liftSingleLogit(model: ModelProto): { model: ModelProto; logitsTensor?: string } {
  const target = resolveObjectiveTarget(model);
  const graph = model.graph!;
  const declared = graph.output?.find((o) => o.name === target.tensor)?.type?.tensorType?.shape?.dim;
  if (target.mode !== 'logits' || declared?.length !== 2 || declared[1].dimValue !== 1) return { model };
  const producer = (graph.node ?? []).find((n) => n.output?.includes(target.tensor));
  const z = producer?.opType === 'Sigmoid' && producer.input?.[0] ? producer.input[0] : target.tensor;
  const lifted = structuredClone(model);
  const zero = 'policytrace/binary_zero';
  const logits = 'policytrace/binary_logits';
  lifted.graph!.node = [
    ...(lifted.graph!.node ?? []),
    // Sub(z, z) rather than a constant: a new float initializer would count as a parameter.
    { name: zero, opType: 'Sub', input: [z, z], output: [zero] },
    { name: logits, opType: 'Concat', input: [zero, z], output: [logits], attribute: [{ name: 'axis', type: 2, i: 1 }] },
  ];
  return { model: lifted, logitsTensor: logits };
}

/** The number of classes: given, 2 for a lifted single logit, else the declared width of the model's output. */
export function classCountOf(model: ModelProto, given: number | undefined, logitsTensor: string | undefined): number {
  if (given !== undefined) return given;
  if (logitsTensor) return 2;
  const width = model.graph?.output?.[0]?.type?.tensorType?.shape?.dim?.[1]?.dimValue;
  if (typeof width === 'number' && width >= 2) return width;
  throw new PolicyTraceError("the model's output does not declare its number of classes: pass classCount for the true Fisher", { field: 'classCount' }, 'bad-option');
}
