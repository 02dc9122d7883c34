/**
 * The per-example objective and its gradient seed. From logits z (preferred: a final Softmax is detected and
 * differentiated from its input, which is exact and stable):
 *   cross-entropy  L = logsumexp(z) − z_y,                 dL/dz = softmax(z) − onehot(y)
 *   margin         m = log p_a − log(1 − p_a) = z_a − logsumexp_{j≠a} z_j,  dm/dz = onehot(a) − softmax_{j≠a}(z)
 * From probabilities p (no Softmax to look through): L = −log p_y and m = log p_a − log(1 − p_a), seeded on p.
 *
 * sequenceCrossEntropy (causal LMs): logits [batch, sequence, vocab] and labels [batch, sequence], already shifted
 * (labels[b, t] is the token logits[b, t] must predict); a label < 0 (prompt, padding) is not scored.
 *   L_b = Σ_{t scored} logsumexp(z_bt) − z_bt,y         dL/dz_bt = (softmax(z_bt) − onehot(y_bt)) · scored_bt
 * A sum, not a mean, so the difference of two responses' values is the difference of their log-probabilities.
 * sequenceMargin: the same sum of per-token margins m_bt = z_bt,y − logsumexp_{j≠y} z_bt,j (the classifier margin
 * per token), dm/dz = (onehot(y) − softmax_{j≠y}(z)) · scored. Unlike the loss gradient it does not vanish on
 * tokens the model already predicts with p ≈ 1 (its direction is the loss gradient's, without the 1 − p factor).
 */
import { PolicyTraceError } from '../errors';
import { attributeInt, ModelProto, OnnxDataType } from '../model/onnxProto';
import { GraphEmitter } from './graphEmitter';

export type ObjectiveKind = 'crossEntropy' | 'margin' | 'sequenceCrossEntropy' | 'sequenceMargin';

/** Rank of the labels input each objective reads: [batch] class ids, or [batch, sequence] token ids. */
export function labelsRank(kind: ObjectiveKind): 1 | 2 {
  return kind === 'sequenceCrossEntropy' || kind === 'sequenceMargin' ? 2 : 1;
}

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

/**
 * The number of classes (or vocabulary entries) along `axis` of the scores, as OneHot's depth: a constant when
 * the probe run saw it (classes do not change between batches), else read from the run-time shape.
 */
function classDepth(emit: GraphEmitter, scores: string, axis: number): string {
  const size = emit.info(scores).dims[axis];
  return size > 0 ? emit.ints([size], []) : emit.node('Gather', [emit.shape(scores), emit.ints([axis], [])], { axis: 0 });
}

export function appendObjective(emit: GraphEmitter, kind: ObjectiveKind, target: ObjectiveTarget, labels: string): AppendedObjective {
  if (kind === 'sequenceCrossEntropy' || kind === 'sequenceMargin') return appendSequenceObjective(emit, kind, target, labels);
  const z = target.tensor;
  const info = emit.info(z);
  if (info.dims.length !== 2) {
    throw new PolicyTraceError(`expected [batch, classes] scores, got dims [${info.dims.join(', ')}]`, { field: z }, 'bad-objective');
  }
  const dataType = info.dataType;
  const depth = classDepth(emit, z, 1);
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

/** Masked per-token cross-entropy or margin, summed over each sequence's scored tokens (see the file comment). */
function appendSequenceObjective(emit: GraphEmitter, kind: 'sequenceCrossEntropy' | 'sequenceMargin', target: ObjectiveTarget, labels: string): AppendedObjective {
  const z = target.tensor;
  const info = emit.info(z);
  if (target.mode !== 'logits') {
    throw new PolicyTraceError('sequence objectives need pre-softmax logits: pass the logits tensor', { field: z }, 'bad-objective');
  }
  if (info.dims.length !== 3) {
    throw new PolicyTraceError(`expected [batch, sequence, vocab] logits, got dims [${info.dims.join(', ')}]`, { field: z }, 'bad-objective');
  }
  const dataType = info.dataType;
  const scoredFlag = emit.node('Greater', [labels, emit.ints([-1], [])]);
  const scored = emit.node('Cast', [scoredFlag], { to: dataType }); // [batch, sequence], 1 where scored
  // Unscored labels (any negative id) become 0 so OneHot stays in range; their rows are zeroed by `scored`.
  const safeLabels = emit.node('Mul', [labels, emit.node('Cast', [scoredFlag], { to: OnnxDataType.INT64 })]);
  const depth = classDepth(emit, z, 2);
  const hot = emit.oneHot(safeLabels, depth, dataType); // [batch, sequence, vocab]
  const scoredColumn = emit.unsqueeze(scored, [2]);
  if (kind === 'sequenceMargin') {
    const others = emit.node('Add', [z, emit.node('Mul', [hot, emit.scalar(MASKED, dataType)])]);
    const seed = emit.node('Mul', [emit.node('Sub', [hot, emit.node('Softmax', [others], { axis: 2 })]), scoredColumn]);
    const chosenLogit = emit.reduce('ReduceSum', emit.node('Mul', [z, hot]), [2], false);
    const tokenMargin = emit.node('Sub', [chosenLogit, emit.reduce('ReduceLogSumExp', others, [2], false)]);
    return { seeds: new Map([[z, seed]]), value: emit.reduce('ReduceSum', emit.node('Mul', [tokenMargin, scored]), [1], false) };
  }
  // Softmax over the last axis: at opsets < 13 axis 2 flattens to [batch·sequence, vocab] rows, the same thing.
  const seed = emit.node('Mul', [emit.node('Sub', [emit.node('Softmax', [z], { axis: 2 }), hot]), scoredColumn]);
  const chosen = emit.reduce('ReduceSum', emit.node('Mul', [z, hot]), [2], false);
  const tokenLoss = emit.node('Sub', [emit.reduce('ReduceLogSumExp', z, [2], false), chosen]);
  const value = emit.reduce('ReduceSum', emit.node('Mul', [tokenLoss, scored]), [1], false);
  return { seeds: new Map([[z, seed]]), value };
}
