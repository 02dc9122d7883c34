/**
 * The reverse-mode pass: walks the forward nodes backwards from the seeded tensors and asks each op's rule
 * (ops/registry.ts) for its inputs' gradients, summing contributions to tensors used more than once.
 * Only nodes on a path from a differentiated tensor (`wrt`) to a seed are visited, so integer shape
 * subgraphs (Shape → Gather → Concat → Reshape) and unused branches are left alone.
 */
import { PolicyTraceError } from '../errors';
import { NodeProto } from '../model/onnxProto';
import { constantLookup } from './constants';
import { GraphEmitter } from './graphEmitter';
import { GradientContext } from './opRule';
import { findOpGradient } from './ops/registry';
import { isDifferentiableType } from './tensorInfo';

export interface BackwardGraph {
  /** Summed gradient of each `wrt` tensor (zeros when it does not reach a seed); empty when not asked for. */
  wrtGradients: Map<string, string>;
  /** The total gradient flowing into a forward tensor, once the pass is done (undefined if none flows). */
  gradientOf(tensor: string): string | undefined;
}

function tensorsRequiringGradient(nodes: NodeProto[], wrt: Set<string>, emit: GraphEmitter): Set<string> {
  const requires = new Set(wrt);
  for (const node of nodes) {
    if (!(node.input ?? []).some((i) => requires.has(i))) continue;
    for (const output of node.output ?? []) {
      const info = emit.infos.get(output);
      if (output && info && isDifferentiableType(info.dataType)) requires.add(output);
    }
  }
  return requires;
}

function tensorsReachingSeeds(nodes: NodeProto[], seeds: Iterable<string>): Set<string> {
  const reaches = new Set(seeds);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if ((node.output ?? []).some((o) => reaches.has(o))) for (const input of node.input ?? []) if (input) reaches.add(input);
  }
  return reaches;
}

/**
 * Appends the backward graph. `seeds` maps forward tensors to the tensors holding d(objective)/d(that tensor)
 * (e.g. logits → softmax − onehot); `wrt` names the tensors (initializers or inputs) to differentiate.
 */
export interface BackwardOptions {
  /** Form the summed gradient of every `wrt` tensor (default true). */
  wrtGradients?: boolean;
  /**
   * Forward tensors whose gradients the caller will read with `gradientOf` (per-example featurization: the
   * outputs of the layers that use a parameter). Without wrt gradients, only tensors downstream of these
   * then get gradients: the rest (a transposed or sliced weight, anything computed from parameters alone)
   * would only feed the summed parameter gradients nobody asked for.
   */
  gradientsWanted?: Iterable<string>;
}

export function appendBackwardGraph(emit: GraphEmitter, seeds: Map<string, string>, wrt: string[], options: BackwardOptions = {}): BackwardGraph {
  const nodes = [...(emit.graph.node ?? [])];
  const wrtSet = new Set(wrt);
  // Without wrt gradients (featurization wants only per-example outputs), gradients still flow *through*
  // everything downstream of the parameters, but the parameters' own gradients are never formed:
  // onnxruntime runs every node that feeds a graph output, and an embedding's scatter is costly.
  const formWrtGradients = options.wrtGradients ?? true;
  const sources = formWrtGradients || !options.gradientsWanted ? wrtSet : new Set(options.gradientsWanted);
  const requires = tensorsRequiringGradient(nodes, sources, emit);
  const reaches = tensorsReachingSeeds(nodes, seeds.keys());
  const graphConstants = constantLookup(emit.graph);
  const constants = (name: string) => graphConstants(name) ?? emit.invariantValues(name);
  const partials = new Map<string, string[]>();
  for (const [tensor, seed] of seeds) partials.set(tensor, [seed]);
  const totals = new Map<string, string>();
  const total = (tensor: string): string | undefined => {
    if (!totals.has(tensor)) {
      const terms = partials.get(tensor);
      if (!terms || terms.length === 0) return undefined;
      totals.set(tensor, emit.sumGradients(terms));
    }
    return totals.get(tensor);
  };

  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    const outputs = node.output ?? [];
    if (!outputs.some((o) => requires.has(o) && reaches.has(o))) continue;
    const outputGradients = outputs.map((o) => (requires.has(o) ? total(o) : undefined));
    if (outputGradients.every((g) => g === undefined)) continue;
    const location = { op: node.opType, node: node.name || outputs[0] };
    const gradient = findOpGradient(node.domain, node.opType ?? '');
    if (!gradient) {
      throw new PolicyTraceError(
        `no gradient rule for ONNX op '${node.opType}'${node.domain ? ` (domain ${node.domain})` : ''}; full-model gradients are unavailable for this model`,
        location,
        'unsupported-op',
      );
    }
    const inputs = node.input ?? [];
    const context: GradientContext = {
      emit,
      node,
      inputs,
      outputs,
      needsGradient: (i) => Boolean(inputs[i]) && requires.has(inputs[i]) && (formWrtGradients || !wrtSet.has(inputs[i])),
      constantValues: constants,
      unsupported: (reason) => {
        throw new PolicyTraceError(`cannot differentiate: ${reason}`, location, 'unsupported-op');
      },
    };
    const inputGradients = gradient.rule(context, outputGradients);
    inputs.forEach((input, i) => {
      const g = inputGradients[i];
      if (!g || !context.needsGradient(i)) return;
      const list = partials.get(input) ?? [];
      list.push(g);
      partials.set(input, list);
    });
  }

  const wrtGradients = new Map<string, string>();
  if (formWrtGradients) for (const name of wrt) wrtGradients.set(name, total(name) ?? emit.zerosLike(name, emit.info(name).dataType));
  return { wrtGradients, gradientOf: total };
}
