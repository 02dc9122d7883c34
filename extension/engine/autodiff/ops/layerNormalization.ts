import { attributeFloat, attributeInt } from '../../model/onnxProto';
import { unbroadcast } from '../broadcast';
import { OpGradient } from '../opRule';
import { normalizeAxis } from './axes';
import { scaledNormInputGradient } from './layerNormalizationScaled';

/**
 * LayerNormalization (opset 17) over axes [axis, rank): with x̂ = (x − μ)·r, r = 1/√(σ² + ε), g = dy·scale:
 * dx = r·(g − mean(g) − x̂·mean(g·x̂)), dscale = Σ dy·x̂ and dbias = Σ dy over the leading axes.
 * μ and r are read from the optional Mean/InvStdDev outputs when the node has them, else recomputed
 * (exporters usually omit them). With a constant unit scale and no or zero bias (the LayerNorm cores that
 * layerNormalizationPattern.ts fuses), x̂ is the output itself and g is dy; when that dy is dy·γ of the
 * scale that follows, layerNormalizationScaled.ts folds γ into the backward's matrices.
 */
export const layerNormalizationGradient: OpGradient = {
  opType: 'LayerNormalization',
  rule: (context, outputGradients) => {
    const [dy, dMean, dInvStd] = outputGradients;
    if (dMean || dInvStd) context.unsupported('gradients through the Mean/InvStdDev outputs are not supported');
    if (!dy) return [];
    const { emit, node, inputs, outputs, needsGradient } = context;
    const [x, scale, bias] = inputs;
    const rank = emit.rank(x);
    const axis = normalizeAxis(attributeInt(node, 'axis') ?? -1, rank);
    const epsilon = attributeFloat(node, 'epsilon') ?? 1e-5;
    const axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
    const mean = (t: string) => emit.reduce('ReduceMean', t, axes, true);

    const allEqual = (name: string | undefined, value: number) => Boolean(name) && (context.constantValues(name!)?.every((v) => v === value) ?? false);
    const unitScale = allEqual(scale, 1) && (!bias || allEqual(bias, 0));
    const [, savedMean, savedInverseStd] = outputs;
    // Saved statistics are stored in stash_type (float32): usable as they are only for a float32 x.
    const sameType = (t: string) => emit.infos.get(t)?.dataType === emit.info(x).dataType;
    let inverseStd: string;
    let normalized: string;
    if (savedMean && savedInverseStd && sameType(savedMean) && sameType(savedInverseStd)) {
      inverseStd = savedInverseStd;
      normalized = unitScale ? outputs[0] : emit.node('Mul', [emit.node('Sub', [x, savedMean]), inverseStd]);
    } else {
      const centred = emit.node('Sub', [x, mean(x)]);
      const variance = mean(emit.node('Mul', [centred, centred]));
      inverseStd = emit.node('Reciprocal', [emit.node('Sqrt', [emit.node('Add', [variance, emit.scalarLike(epsilon, x)])])]);
      normalized = unitScale ? outputs[0] : emit.node('Mul', [centred, inverseStd]);
    }

    let dx: string | undefined;
    if (needsGradient(0) && unitScale) dx = scaledNormInputGradient(emit, { dy, normalized, inverseStd, axes });
    if (needsGradient(0) && !dx) {
      const g = unitScale ? dy : emit.node('Mul', [dy, scale]);
      const projection = emit.node('Mul', [normalized, mean(emit.node('Mul', [g, normalized]))]);
      dx = emit.node('Mul', [inverseStd, emit.node('Sub', [emit.node('Sub', [g, mean(g)]), projection])]);
    }
    const dScale = needsGradient(1) ? unbroadcast(emit, emit.node('Mul', [dy, normalized]), scale, outputs[0]) : undefined;
    const dBias = bias && needsGradient(2) ? unbroadcast(emit, dy, bias, outputs[0]) : undefined;
    return [dx, dScale, dBias];
  },
};
