/**
 * The per-example objective and its gradient seed. From logits z (preferred: a final Softmax is detected and
 * differentiated from its input, which is exact and stable):
 *   cross-entropy  L = logsumexp(z) − z_y,                 dL/dz = softmax(z) − onehot(y)
 *   margin         m = log p_a − log(1 − p_a) = z_a − logsumexp_{j≠a} z_j,  dm/dz = onehot(a) − softmax_{j≠a}(z)
 * From probabilities p (no Softmax to look through): L = −log p_y and m = log p_a − log(1 − p_a), seeded on p.
 */
import { PolicyTraceError } from '../errors';
import { attributeInt, ModelProto } from '../model/onnxProto';
import { GraphEmitter } from './graphEmitter';

export type ObjectiveKind = 'crossEntropy' | 'margin';

export interface ObjectiveTarget {
  tensor: string;
  /** 'logits': `tensor` is pre-softmax; 'probabilities': `tensor` holds class probabilities. */
  mode: 'logits' | 'probabilities';
}

/**
 * Picks the tensor to differentiate from: explicit logits; else the input of the Softmax that produces
 * `probsTensor` (or output 0); else `probsTensor` as probabilities. Output 0 not made by a Softmax is taken
 * to be logits (what a classifier exported without its Softmax returns).
 */
export function resolveObjectiveTarget(model: ModelProto, logitsTensor?: string, probsTensor?: string): ObjectiveTarget {
  if (logitsTensor) return { tensor: logitsTensor, mode: 'logits' };
  const graph = model.graph!;
  const probs = probsTensor ?? graph.output?.[0]?.name;
  if (!probs) throw new PolicyTraceError('the model has no outputs to take the loss of', {}, 'bad-model');
  const producer = (graph.node ?? []).find((n) => n.output?.includes(probs));
  if (producer?.opType === 'Softmax' && producer.input?.[0]) {
    const axis = attributeInt(producer, 'axis');
    if (axis === undefined || axis === 1 || axis === -1) return { tensor: producer.input[0], mode: 'logits' };
  }
  return { tensor: probs, mode: probsTensor ? 'probabilities' : 'logits' };
}

export interface AppendedObjective {
  /** Forward tensor → the tensor holding d(objective summed over the batch)/d(it). */
  seeds: Map<string, string>;
  /** Per-example objective values [batch]. */
  value: string;
}

const MASKED = -1e30;

export function appendObjective(emit: GraphEmitter, kind: ObjectiveKind, target: ObjectiveTarget, labels: string): AppendedObjective {
  const z = target.tensor;
  const info = emit.info(z);
  if (info.dims.length !== 2) {
    throw new PolicyTraceError(`expected [batch, classes] scores, got dims [${info.dims.join(', ')}]`, { field: z }, 'bad-objective');
  }
  const dataType = info.dataType;
  const depth = emit.node('Gather', [emit.shape(z), emit.ints([1], [])], { axis: 0 });
  const hot = emit.oneHot(labels, depth, dataType);
  const chosenSum = (t: string, keep: boolean) => emit.reduce('ReduceSum', emit.node('Mul', [t, hot]), [1], keep);

  if (target.mode === 'logits') {
    if (kind === 'crossEntropy') {
      const seed = emit.node('Sub', [emit.node('Softmax', [z], { axis: 1 }), hot]);
      const value = emit.node('Sub', [emit.reduce('ReduceLogSumExp', z, [1], false), chosenSum(z, false)]);
      return { seeds: new Map([[z, seed]]), value };
    }
    const others = emit.node('Add', [z, emit.node('Mul', [hot, emit.scalar(MASKED, dataType)])]);
    const seed = emit.node('Sub', [hot, emit.node('Softmax', [others], { axis: 1 })]);
    const value = emit.node('Sub', [chosenSum(z, false), emit.reduce('ReduceLogSumExp', others, [1], false)]);
    return { seeds: new Map([[z, seed]]), value };
  }

  const chosen = chosenSum(z, true); // p of the labelled class, [batch, 1]
  const flat = emit.node('Reshape', [chosen, emit.ints([-1])]);
  if (kind === 'crossEntropy') {
    const seed = emit.node('Neg', [emit.node('Div', [hot, chosen])]);
    return { seeds: new Map([[z, seed]]), value: emit.node('Neg', [emit.node('Log', [flat])]) };
  }
  const rest = emit.node('Sub', [emit.scalar(1, dataType), chosen]);
  const slope = emit.node('Add', [emit.node('Reciprocal', [chosen]), emit.node('Reciprocal', [rest])]);
  const restFlat = emit.node('Reshape', [rest, emit.ints([-1])]);
  const value = emit.node('Sub', [emit.node('Log', [flat]), emit.node('Log', [restFlat])]);
  return { seeds: new Map([[z, emit.node('Mul', [hot, slope])]]), value };
}
