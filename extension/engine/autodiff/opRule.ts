/**
 * The contract of one vector-Jacobian rule: given the gradients flowing into a node's outputs, emit the ops
 * that compute the gradients of its inputs. One rule per file under ops/, registered in ops/registry.ts.
 */
import { NodeProto } from '../model/onnxProto';
import { GraphEmitter } from './graphEmitter';

export interface GradientContext {
  readonly emit: GraphEmitter;
  readonly node: NodeProto;
  /** Input names, '' for omitted optional inputs. */
  readonly inputs: string[];
  readonly outputs: string[];
  /** Whether input `index` needs a gradient (float and downstream of a parameter); skip work for the rest. */
  needsGradient(index: number): boolean;
  /** Values of an input that is a constant (initializer or Constant node), or undefined if it is computed. */
  constantValues(name: string): number[] | undefined;
  /** Fails with the op type and node name, for attribute combinations a rule does not cover. */
  unsupported(reason: string): never;
}

/** Gradients of the node's inputs in input order; undefined where none is needed or none flows. */
export type GradientRule = (context: GradientContext, outputGradients: (string | undefined)[]) => (string | undefined)[];

export interface OpGradient {
  opType: string;
  /** '' for the default ONNX domain. */
  domain?: string;
  rule: GradientRule;
}
