/**
 * The full-model sections of an audit's policies: attribution through every layer (TRAK over LoGra projections,
 * split into output and feature pathways) and, for rules that name words, the concept pathway through those
 * words' embedding rows. The training side of each is computed once per audit and shared by every policy
 * (FullModelAttributor); call dispose() when the audit is done.
 */
import { FullModelAttributor, type FullModelTrainingSide } from '../attribution/fullModelAttributor';
import type { FullModelAttribution } from '../attribution/fullModel';
import { pathwaySplit } from '../attribution/pathwaySplit';
import { proponentOrder } from '../attribution/proponentOrder';
import { findConceptRows, linesReadingRows, ruleWords } from '../attribution/conceptRows';
import { decodeModel } from '../model/onnxProto';
import { PolicyTraceError } from '../errors';
import { snippetOf, sourceRefOf } from '../report/sourceRef';
import type { PolicyAttribution } from '../report/schema';
import type { AttributePoliciesInput } from './attributePolicies';

type FullModelSection = NonNullable<PolicyAttribution['fullModel']>;

/**
 * What audits use through every layer: TRAK with the true Fisher over the concatenated 16×16 LoGra projections,
 * λ = the mean eigenvalue. Measured on the planted cases (bench rows planted.*.full.trak-trueFisher-damping1)
 * against λ = a tenth of it: LDS vs full retraining 0.90 vs 0.86 (trigger), 0.50 vs 0.24 (sycophancy, head-only
 * 0.48), 0.29 vs 0.29 (trigger-scratch); sycophancy AUC 0.83 vs 0.64 by relative influence; on trigger-scratch
 * precision@60 0.60 vs 0.67 (head-only 0.52). The empirical Fisher nearly ignores lines the model already fits.
 */
export const AUDIT_FULL_MODEL_PRECONDITIONER = { preconditioner: 'trak', fisher: 'true', damping: 1 } as const;

/** One policy as the full-model passes see it: the probes it covers and its action. */
export interface FullModelPolicyInput {
  covered: number[];
  actionClass: number;
  conditions: string[];
}

export class AuditFullModel {
  /** TRAK over projections, or the diagonal Fisher when the model's gradients cannot be projected. */
  private main: FullModelAttributor | undefined;
  /** Diagonal Fisher on unprojected gradients: a word's embedding row cannot be read back from a projection. */
  private unprojected: FullModelAttributor | undefined;
  private readonly trainingSide: FullModelTrainingSide;

  constructor(private readonly input: AttributePoliciesInput, labels: Int32Array) {
    const head = input.head;
    this.trainingSide = {
      modelBytes: input.modelBytes,
      featurizer: input.featurizer,
      train: input.data.train,
      trainLabels: labels,
      headParams: [head.weightSource, ...(head.biasSource ? [head.biasSource] : [])],
      ...(input.cacheDir !== undefined && { cacheDir: input.cacheDir }),
    };
  }

  /** The policy's full-model section, with its concept pathway (or the note saying why there is none). */
  async section(policy: FullModelPolicyInput, attribution: PolicyAttribution): Promise<FullModelSection> {
    const section = await this.throughAllLayers(policy, attribution);
    const concept = await this.conceptPathway(policy);
    if (concept.section) section.concept = concept.section;
    if (concept.note) section.conceptNote = concept.note;
    return section;
  }

  async dispose(): Promise<void> {
    const stats = this.main?.cacheStats;
    if (stats) this.input.onGradientCache?.(stats);
    const attributors = [this.main, this.unprojected];
    this.main = this.unprojected = undefined;
    for (const attributor of new Set(attributors)) await attributor?.dispose();
  }

  private unprojectedAttributor(): FullModelAttributor {
    this.unprojected ??= FullModelAttributor.open({ ...this.trainingSide, preconditioner: 'diagonalFisher', projection: null });
    return this.unprojected;
  }

  private async attributeMain(policy: FullModelPolicyInput): Promise<FullModelAttribution> {
    const query = { probes: this.input.data.probes, coveredProbes: policy.covered, actionClass: policy.actionClass };
    // A model whose gradient coordinates cannot be projected falls back to the diagonal Fisher on raw gradients,
    // for the rest of the audit.
    this.main ??= FullModelAttributor.open({ ...this.trainingSide, ...AUDIT_FULL_MODEL_PRECONDITIONER, projection: { kIn: 16, kOut: 16, seed: this.input.spec.options.seed } });
    try {
      return await this.main.attribute(query);
    } catch (error) {
      if (!(error instanceof PolicyTraceError) || error.code !== 'bad-option' || this.main === this.unprojected) throw error;
      await this.main.dispose();
      this.main = this.unprojectedAttributor();
      return this.main.attribute(query);
    }
  }

  /** Through every layer (the ONNX backward graph), split into the head's share and the earlier layers'. */
  private async throughAllLayers(policy: FullModelPolicyInput, attribution: PolicyAttribution): Promise<FullModelSection> {
    const result = await this.attributeMain(policy);
    const { data, spec } = this.input;
    const relative = result.relativeInfluence;
    const order = proponentOrder(result);
    attribution.pathways = pathwaySplit(result.outputPathway, result.featurePathway, order.slice(0, spec.options.topK));
    return {
      method: result.method,
      scale: {
        unit: 'influence through all layers (nats of mean margin per unit of up-weighting, Fisher-normalised)',
        explanation:
          'Positive means up-weighting the line pushes the model toward the policy through any layer; output pathway = the part through the head, feature pathway = through earlier layers; lines are ordered by relative influence (influence divided by the square root of the line\'s own preconditioned gradient size); comparable within a policy, not across policies.',
      },
      proponents: order.slice(0, spec.options.topK).map((i) => {
        const example = data.train[i];
        return {
          ...sourceRefOf(example),
          ...(example.label !== undefined && { label: example.label }),
          snippet: snippetOf(example.text),
          influence: result.influence[i],
          relativeInfluence: relative[i],
          outputPathway: result.outputPathway[i],
          featurePathway: result.featurePathway[i],
        };
      }),
    };
  }

  /**
   * Through the embedding rows of the words the rule names: unprojected gradients with the diagonal Fisher.
   * Without a section (no word, no embedding table, no word in the vocabulary) the note says why; with one, it
   * names the words the vocabulary lacks.
   */
  private async conceptPathway(policy: FullModelPolicyInput): Promise<{ section?: FullModelSection['concept']; note?: string }> {
    const { data, spec, featurizer, modelBytes } = this.input;
    const rows = findConceptRows(decodeModel(modelBytes), featurizer, ruleWords(policy.conditions));
    if ('reason' in rows) return { note: `No concept pathway: ${rows.reason}.` };
    const note = rows.missing.length > 0
      ? `The concept pathway leaves out ${rows.missing.map((w) => JSON.stringify(w)).join(', ')}: not in the model's vocabulary (encoded as the unknown token).`
      : undefined;
    const query = { probes: data.probes, coveredProbes: policy.covered, actionClass: policy.actionClass, conceptRows: rows };
    // Only lines containing the words have a gradient on their rows: stream those, not the whole training set.
    const lines = linesReadingRows(featurizer, data.train, rows);
    const result = lines
      ? await this.unprojectedAttributor().conceptScores(query, lines)
      : await this.unprojectedAttributor().attribute(query).then((r) => ({ score: r.conceptPathway!, method: r.method }));
    const score = result.score;
    const line = (i: number) => {
      const example = data.train[i];
      return { ...sourceRefOf(example), ...(example.label !== undefined && { label: example.label }), snippet: snippetOf(example.text), influence: score[i] };
    };
    const order = Array.from(score.keys()).sort((a, b) => score[b] - score[a] || a - b);
    const topK = spec.options.topK;
    const section = {
      words: rows.words,
      param: rows.param,
      method: `${result.method}; restricted to rows ${rows.rows.join(', ')} of ${rows.param}`,
      scale: {
        unit: 'influence through the words\' embedding rows (nats of mean margin per unit of up-weighting, Fisher-normalised)',
        explanation: `Positive means the line taught the model that ${rows.words.map((w) => JSON.stringify(w)).join(', ')} points toward the policy's action, negative that it points away; only lines containing the words have any, and values compare within a policy.`,
      },
      proponents: order.filter((i) => score[i] > 0).slice(0, topK).map(line),
      opponents: order.filter((i) => score[i] < 0).reverse().slice(0, topK).map(line),
    };
    return { section, ...(note && { note }) };
  }
}
