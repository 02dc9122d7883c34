import { attributeString } from '../../model/onnxProto';
import { GradientContext, GradientRule, OpGradient } from '../opRule';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const TANH_CUBIC = 0.044715;

/** Exact GELU: y = x·Φ(x), dx = dy · (Φ(x) + x·φ(x)). */
function exactSlope({ emit, inputs }: GradientContext): string {
  const x = inputs[0];
  const scaled = emit.node('Mul', [x, emit.scalarLike(Math.SQRT1_2, x)]);
  const cdf = emit.node('Mul', [
    emit.scalarLike(0.5, x),
    emit.node('Add', [emit.scalarLike(1, x), emit.node('Erf', [scaled])]),
  ]);
  const halfSquare = emit.node('Mul', [emit.node('Mul', [x, x]), emit.scalarLike(-0.5, x)]);
  const pdf = emit.node('Mul', [emit.node('Exp', [halfSquare]), emit.scalarLike(1 / Math.sqrt(2 * Math.PI), x)]);
  return emit.node('Add', [cdf, emit.node('Mul', [x, pdf])]);
}

/** tanh GELU: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³); dy/dx = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²). */
function tanhSlope({ emit, inputs }: GradientContext): string {
  const x = inputs[0];
  const square = emit.node('Mul', [x, x]);
  const inner = emit.node('Add', [x, emit.node('Mul', [emit.node('Mul', [square, x]), emit.scalarLike(TANH_CUBIC, x)])]);
  const t = emit.node('Tanh', [emit.node('Mul', [inner, emit.scalarLike(SQRT_2_OVER_PI, x)])]);
  const half = emit.scalarLike(0.5, x);
  const first = emit.node('Mul', [half, emit.node('Add', [emit.scalarLike(1, x), t])]);
  const innerSlope = emit.node('Mul', [
    emit.scalarLike(SQRT_2_OVER_PI, x),
    emit.node('Add', [emit.scalarLike(1, x), emit.node('Mul', [square, emit.scalarLike(3 * TANH_CUBIC, x)])]),
  ]);
  const sech2 = emit.node('Sub', [emit.scalarLike(1, x), emit.node('Mul', [t, t])]);
  const second = emit.node('Mul', [emit.node('Mul', [half, x]), emit.node('Mul', [sech2, innerSlope])]);
  return emit.node('Add', [first, second]);
}

const rule: GradientRule = (context, [dy]) => {
  if (!dy) return [];
  const approximate = attributeString(context.node, 'approximate') ?? 'none';
  const slope = approximate === 'tanh' ? tanhSlope(context) : exactSlope(context);
  return [context.emit.node('Mul', [dy, slope])];
};

/** ONNX Gelu (opset 20, `approximate` none|tanh). */
export const geluGradient: OpGradient = { opType: 'Gelu', rule };
/** onnxruntime's contrib Gelu (exact), found in models optimised by ORT's transformer tools. */
export const microsoftGeluGradient: OpGradient = { opType: 'Gelu', domain: 'com.microsoft', rule };
