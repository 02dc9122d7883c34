/**
 * The one explicit list of differentiable ops. An op missing here fails the backward pass with
 * code 'unsupported-op' naming the op and node, and the audit falls back to head-only gradients.
 */
import { OpGradient } from '../opRule';
import { addGradient } from './add';
import { castGradient } from './cast';
import { concatGradient } from './concat';
import { divGradient } from './div';
import { dropoutGradient } from './dropout';
import { erfGradient } from './erf';
import { expandGradient } from './expand';
import { expGradient } from './exp';
import { gatherGradient } from './gather';
import { geluGradient, microsoftGeluGradient } from './gelu';
import { gemmGradient } from './gemm';
import { identityGradient } from './identity';
import { layerNormalizationGradient } from './layerNormalization';
import { logGradient } from './log';
import { matMulGradient } from './matMul';
import { mulGradient } from './mul';
import { negGradient } from './neg';
import { powGradient } from './pow';
import { reduceMeanGradient } from './reduceMean';
import { reduceSumGradient } from './reduceSum';
import { reluGradient } from './relu';
import { flattenGradient, reshapeGradient, squeezeGradient, unsqueezeGradient } from './reshapeLike';
import { sigmoidGradient } from './sigmoid';
import { sliceGradient } from './slice';
import { logSoftmaxGradient, softmaxGradient } from './softmax';
import { splitGradient } from './split';
import { sqrtGradient } from './sqrt';
import { subGradient } from './sub';
import { tanhGradient } from './tanh';
import { transposeGradient } from './transpose';
import { whereGradient } from './where';

export const opGradients: readonly OpGradient[] = [
  addGradient,
  subGradient,
  mulGradient,
  divGradient,
  negGradient,
  powGradient,
  sqrtGradient,
  expGradient,
  logGradient,
  reluGradient,
  tanhGradient,
  sigmoidGradient,
  erfGradient,
  geluGradient,
  microsoftGeluGradient,
  matMulGradient,
  gemmGradient,
  transposeGradient,
  reshapeGradient,
  flattenGradient,
  squeezeGradient,
  unsqueezeGradient,
  expandGradient,
  sliceGradient,
  concatGradient,
  splitGradient,
  gatherGradient,
  whereGradient,
  softmaxGradient,
  logSoftmaxGradient,
  layerNormalizationGradient,
  reduceMeanGradient,
  reduceSumGradient,
  castGradient,
  identityGradient,
  dropoutGradient,
];

function key(domain: string | undefined, opType: string): string {
  const normalized = !domain || domain === 'ai.onnx' ? '' : domain;
  return `${normalized}:${opType}`;
}

const byKey = new Map(opGradients.map((g) => [key(g.domain, g.opType), g]));

export function findOpGradient(domain: string | undefined, opType: string): OpGradient | undefined {
  return byKey.get(key(domain, opType));
}

/** 'Op' and 'domain:Op' names of every differentiable op, for messages and reports. */
export function supportedOpNames(): string[] {
  return opGradients.map((g) => (g.domain ? `${g.domain}:${g.opType}` : g.opType));
}
