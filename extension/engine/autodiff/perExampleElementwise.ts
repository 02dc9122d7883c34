/**
 * Per-example gradients of parameters applied elementwise (biases, LayerNorm scales, position tables):
 * the op's local gradient (dy, −dy, dy·other, β·dy) summed over every axis the parameter was broadcast
 * along except the batch axis, then laid out as [batch, ...param dims].
 */
import { broadcastAxes } from './broadcast';
import { sumExampleRows } from './exampleRows';
import { GraphEmitter } from './graphEmitter';
import { ElementwiseUse } from './parameterUses';
import { BatchLayout } from './probe';
import { EmittedPerExample } from './perExampleLinear';

export function emitElementwisePerExample(emit: GraphEmitter, use: ElementwiseUse, delta: string, layouts: Map<string, BatchLayout>): EmittedPerExample | string {
  const output = use.node.output![0];
  const layout = layouts.get(output);
  if (!layout) return `the probe found no batch axis for '${output}'`;
  const outDims = emit.info(output).dims;
  const paramDims = emit.info(use.param).dims;
  const lastAxis = outDims.length - 1;
  const vectorAlongLastAxis =
    paramDims.length > 0 && layout.axis !== lastAxis && paramDims[paramDims.length - 1] === outDims[lastAxis] && paramDims.slice(0, -1).every((d) => d === 1);
  if (layout.factor !== 1 && !vectorAlongLastAxis) return `'${output}' merges the batch with another axis`;
  const lead = outDims.length - paramDims.length;
  if (layout.axis >= lead && paramDims[layout.axis - lead] !== 1) return `'${use.param}' spans the batch axis`;

  const dataType = emit.info(use.param).dataType;
  let term: string;
  switch (use.factor.type) {
    case 'one':
      term = delta;
      break;
    case 'negate':
      term = emit.node('Neg', [delta]);
      break;
    case 'scalar':
      term = use.factor.value === 1 ? delta : emit.node('Mul', [delta, emit.scalar(use.factor.value, dataType)]);
      break;
    case 'tensor':
      term = emit.node('Mul', [delta, use.factor.tensor]);
      break;
  }
  if (vectorAlongLastAxis) {
    // A bias-like vector: summed over each example's rows (handles merged seq·batch rows too) to [batch, features].
    const summed = sumExampleRows(emit, term, outDims, layout, dataType);
    // The backward's own tensor is never made an output as is: two parameters of one node would share it.
    const output = paramDims.length > 1 ? emit.node('Reshape', [summed, emit.ints([-1, ...paramDims])]) : summed === delta ? emit.node('Identity', [delta]) : summed;
    return { output, shape: [-1, ...paramDims] };
  }
  const axes = broadcastAxes(paramDims, outDims).filter((a) => a !== layout.axis);
  const reduced = axes.length > 0 ? emit.reduce('ReduceSum', term, axes, true) : term;
  const batchFirst = emit.transpose(reduced, [layout.axis, ...outDims.map((_, i) => i).filter((i) => i !== layout.axis)]);
  return { output: emit.node('Reshape', [batchFirst, emit.ints([-1, ...paramDims])]), shape: [-1, ...paramDims] };
}
