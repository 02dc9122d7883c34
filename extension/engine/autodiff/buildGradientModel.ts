/**
 * Turns an inference model into a gradient model: the forward graph, a labels/actions input, the per-example
 * objective, the backward graph (standard ONNX ops at the model's own opset) and, as outputs, the batch-summed
 * gradient of every differentiated parameter plus per-example gradients of every parameter whose uses are
 * understood (linear layers and embeddings optionally LoGra-projected; biases and scales as they are). A probe run first measures tensor types, dims and batch layouts.
 */
import { PolicyTraceError } from '../errors';
import { ModelProto, OnnxDataType, ValueInfoProto } from '../model/onnxProto';
import { appendBackwardGraph } from './backward';
import { synthesizeExampleFeeds } from './exampleFeeds';
import { GraphEmitter } from './graphEmitter';
import { fuseDecomposedLayerNorms } from './ops/layerNormalizationPattern';
import { appendObjective, labelsRank, ObjectiveKind, resolveObjectiveTarget } from './objective';
import { ExampleFeeds } from './ort';
import { findParameterUses } from './parameterUses';
import { appendPerExampleGradients } from './perExample';
import { probeBatchLayout } from './probe';
import { foldForwardShapeArithmetic } from './shapeFolding';
import { ProjectionOptions } from './projection';
import { isDifferentiableType } from './tensorInfo';

export interface GradientModelOptions {
  loss: ObjectiveKind;
  /** Pre-softmax scores [batch, classes]; when absent a final Softmax is found behind `probsTensor`/output 0. */
  logitsTensor?: string;
  probsTensor?: string;
  /** Name of the int64 input added for the labels (cross-entropy) or actions (margin): [batch], or [batch, sequence] for sequenceCrossEntropy. */
  labelsInput: string;
  wrt: 'all-float-initializers' | string[];
  perExample: boolean;
  /** Also output the batch-summed gradient of every parameter (default true; featurization turns it off). */
  summedGradients?: boolean;
  projection?: ProjectionOptions;
  /** Also output each projected single-use layer's K-FAC factor rows (see `GradientModel.factorOutputs`). */
  kfacFactors?: boolean;
  /** At least two different examples (batch axis 0) for the probe; synthesized from the input types if absent. */
  probeExamples?: ExampleFeeds;
}

export interface GradientOutput {
  param: string;
  output: string;
  /** Output dims; −1 marks the batch axis. */
  shape: number[];
  kind: 'summed' | 'perExample' | 'projected';
}

export interface GradientModel {
  model: ModelProto;
  gradientOutputs: GradientOutput[];
  /** Per-example objective values [batch] (cross-entropy loss, or the margin). */
  objectiveOutput: string;
  /** The tensor the objective was taken of, and whether it held logits or probabilities. */
  objectiveTarget: { tensor: string; mode: 'logits' | 'probabilities' };
  /** Linear layers that got no per-example output, and why. */
  perExampleSkipped: { param: string; reason: string }[];
  /** With `kfacFactors`: per projected layer, outputs [batch, rows, kIn] (P_in a) and [batch, rows, kOut] (P_out δ). */
  factorOutputs: KfacFactorOutput[];
}

export interface KfacFactorOutput {
  param: string;
  activation: string;
  delta: string;
}

function parameterNames(model: ModelProto, wrt: GradientModelOptions['wrt']): string[] {
  const initializers = model.graph?.initializer ?? [];
  if (wrt === 'all-float-initializers') {
    return initializers.filter((t) => t.name && isDifferentiableType(t.dataType ?? 0) && isReadByANode(model, t.name)).map((t) => t.name!);
  }
  const floatInitializers = new Set(initializers.filter((t) => isDifferentiableType(t.dataType ?? 0)).map((t) => t.name));
  for (const name of wrt) {
    if (!floatInitializers.has(name)) throw new PolicyTraceError(`'${name}' is not a float initializer of the model`, { field: 'wrt' }, 'bad-option');
  }
  return wrt;
}

/** Initializers no node reads (left over from export) are not parameters of the function. */
function isReadByANode(model: ModelProto, name: string): boolean {
  return (model.graph?.node ?? []).some((n) => n.input?.includes(name));
}

function tensorOutput(name: string, dataType: number): ValueInfoProto {
  return { name, type: { tensorType: { elemType: dataType } } };
}

export async function buildGradientModel(source: ModelProto, options: GradientModelOptions): Promise<GradientModel> {
  const examples = options.probeExamples ?? synthesizeExampleFeeds(source, 2);
  const probe = await probeBatchLayout(source, examples);
  const model = structuredClone(source);
  const emit = new GraphEmitter(model, probe.infos);
  // Per-example outputs already fix every non-batch dim to the probe's, so the backward may too; and the
  // forward may take onnxruntime's fused LayerNormalization, whose backward is a third of the decomposed one.
  if (options.perExample) {
    emit.assumeProbeShapes(probe);
    fuseDecomposedLayerNorms(emit, probe.layouts);
    foldForwardShapeArithmetic(emit, emit.graph.node ?? []);
  }
  const graph = emit.graph;
  const forwardNodes = [...(graph.node ?? [])];
  const params = parameterNames(source, options.wrt);
  if (params.length === 0) throw new PolicyTraceError('the model has no float initializers to differentiate', {}, 'no-parameters');

  if ((graph.input ?? []).some((i) => i.name === options.labelsInput)) {
    throw new PolicyTraceError(`the model already has an input named '${options.labelsInput}'`, { field: 'labelsInput' }, 'bad-option');
  }
  graph.input = [
    ...(graph.input ?? []),
    {
      name: options.labelsInput,
      type: { tensorType: { elemType: OnnxDataType.INT64, shape: { dim: labelsRank(options.loss) === 2 ? [{ dimParam: 'batch' }, { dimParam: 'sequence' }] : [{ dimParam: 'batch' }] } } },
    },
  ];

  const target = resolveObjectiveTarget(source, options.logitsTensor, options.probsTensor);
  const objective = appendObjective(emit, options.loss, target, options.labelsInput);
  const summed = options.summedGradients ?? true;
  // Uses are found first so that, without summed gradients, the backward pass forms only the gradients
  // that reach a layer's output (its per-example delta).
  const parameterUses = options.perExample ? findParameterUses(emit, forwardNodes, new Set(params)) : undefined;
  const gradientsWanted = parameterUses?.uses.map((use) => use.node.output![0]);
  const backward = appendBackwardGraph(emit, objective.seeds, params, { wrtGradients: summed, gradientsWanted });

  const gradientOutputs: GradientOutput[] = [];
  const objectiveOutput = emit.node('Identity', [objective.value]);
  const outputs: ValueInfoProto[] = [...(graph.output ?? []), tensorOutput(objectiveOutput, emit.info(target.tensor).dataType)];
  for (const param of summed ? params : []) {
    const output = emit.node('Identity', [backward.wrtGradients.get(param)!]);
    const info = emit.info(param);
    outputs.push(tensorOutput(output, info.dataType));
    gradientOutputs.push({ param, output, shape: info.dims, kind: 'summed' });
  }

  let perExampleSkipped: { param: string; reason: string }[] = [];
  const factorOutputs: KfacFactorOutput[] = [];
  if (parameterUses) {
    const { uses, otherwiseUsed } = parameterUses;
    const perExample = appendPerExampleGradients(emit, uses, otherwiseUsed, backward, probe.layouts, options.projection);
    perExampleSkipped = perExample.skipped;
    for (const [param, { output, shape, projected }] of perExample.outputs) {
      outputs.push(tensorOutput(output, emit.info(param).dataType));
      gradientOutputs.push({ param, output, shape, kind: projected ? 'projected' : 'perExample' });
    }
    for (const [param, factors] of options.kfacFactors ? perExample.factors : []) {
      const activation = emit.node('Identity', [factors.activation]);
      const delta = emit.node('Identity', [factors.delta]);
      outputs.push(tensorOutput(activation, emit.info(param).dataType), tensorOutput(delta, emit.info(param).dataType));
      factorOutputs.push({ param, activation, delta });
    }
  }
  graph.output = outputs;
  emit.removeDeadNodes();
  return { model, gradientOutputs, objectiveOutput, objectiveTarget: target, perExampleSkipped, factorOutputs };
}
