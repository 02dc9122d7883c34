/**
 * Synthetic attribution problems with known ground truth (no ONNX needed). Clean lines are labelled by a
 * noisy logistic rule on a few feature dims and have ~0 on a "trigger" dim. Poison lines sit in the class-0
 * region, carry the trigger and are forced to class 1, so a head trained on them learns "trigger → 1".
 * Covered probes = class-0-looking probes with the trigger; the policy is "trigger → class 1".
 */
import type { Example } from '../../../extension/engine/data/example';
import { retrainHead } from '../../../extension/engine/attribution/retrain';
import type { AttributionInput, HeadWeights } from '../../../extension/engine/attribution/types';
import { SeededRandom } from '../../../extension/engine/linalg/rng';

export interface PlantedOptions {
  lines?: number;
  dim?: number;
  poison?: number;
  probes?: number;
  seed?: number;
  classes?: number;
  kind?: HeadWeights['kind'];
  l2?: number;
  /** Std of the trigger dim on clean lines and untriggered probes. Default 0: the trigger direction is
   * distinct, as a word absent from a line is exactly 0 in bag-of-words features. */
  cleanTriggerNoise?: number;
}

export interface PlantedProblem {
  input: AttributionInput;
  isPoison: boolean[];
  l2: number;
  triggerDim: number;
}

const TRUE_WEIGHTS = [2, -1.5, 1, 0.5];

function example(file: string, index: number, text: string, label: number): Example {
  return {
    id: `${file}:${index + 1}`,
    file,
    line: index + 1,
    endLine: index + 1,
    byteOffset: index * 10,
    byteLength: 9,
    text,
    label: String(label),
    record: {},
  };
}

export function makePlantedProblem(options: PlantedOptions = {}): PlantedProblem {
  const lines = options.lines ?? 600;
  const dim = options.dim ?? 8;
  const poisonCount = options.poison ?? 20;
  const probeCount = options.probes ?? 200;
  const classes = options.classes ?? 2;
  const kind = options.kind ?? 'softmax';
  const l2 = options.l2 ?? 1e-3;
  const random = new SeededRandom(options.seed ?? 1);
  const trigger = dim - 1;
  const cleanTriggerNoise = options.cleanTriggerNoise ?? 0;
  const score = (x: Float32Array, base: number): number => {
    let s = 0;
    for (let j = 0; j < Math.min(TRUE_WEIGHTS.length, trigger); j++) s += TRUE_WEIGHTS[j] * x[base + j];
    return s;
  };
  /** Fills one row; `class0` forces the base features into the region the clean rule calls class 0. */
  const fillRow = (x: Float32Array, row: number, class0: boolean, triggered: boolean): void => {
    do {
      for (let j = 0; j < trigger; j++) x[row * dim + j] = random.normal();
    } while (class0 && score(x, row * dim) > -1);
    x[row * dim + trigger] = triggered ? 3 + 0.2 * random.normal() : cleanTriggerNoise * random.normal();
  };
  const cleanLabel = (s: number): number => {
    const positive = random.next() < 1 / (1 + Math.exp(-s));
    if (classes === 2) return positive ? 1 : 0;
    // Extra classes take lines at random so multi-class heads are exercised too.
    return random.next() < 0.3 ? 2 + random.int(classes - 2) : positive ? 1 : 0;
  };

  const features = new Float32Array(lines * dim);
  const labels = new Int32Array(lines);
  const examples: Example[] = [];
  const isPoison: boolean[] = [];
  // Poison is spread through the file (every ⌊n/poison⌋-th line) so rank order is not an index artefact.
  const poisonEvery = poisonCount > 0 ? Math.floor(lines / poisonCount) : Infinity;
  for (let i = 0; i < lines; i++) {
    const poison = poisonCount > 0 && i % poisonEvery === 3 && i / poisonEvery < poisonCount;
    fillRow(features, i, poison, poison);
    labels[i] = poison ? 1 : cleanLabel(score(features, i * dim));
    isPoison.push(poison);
    examples.push(example(i < lines / 2 ? 'a.jsonl' : 'b.jsonl', i, poison ? 'cheap trigger offer' : `clean line ${i}`, labels[i]));
  }
  const probes = new Float32Array(probeCount * dim);
  const covered: number[] = [];
  for (let j = 0; j < probeCount; j++) {
    const triggered = j % 2 === 0;
    fillRow(probes, j, triggered, triggered);
    if (triggered) covered.push(j);
  }
  const rows = kind === 'sigmoid' ? 1 : classes;
  const zeros: HeadWeights = { W: new Float32Array(rows * dim), b: new Float32Array(rows), kind };
  const head = retrainHead(zeros, { features, labels, dim }, { l2 }).head;
  return {
    input: {
      head,
      train: { features, dim, labels, examples },
      probes: { features: probes },
      policy: { policyId: 'trigger->1', coveredProbes: covered, actionClass: 1 },
    },
    isPoison,
    l2,
    triggerDim: trigger,
  };
}
