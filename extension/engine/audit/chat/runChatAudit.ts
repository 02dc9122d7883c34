/**
 * One audit of a causal language model on chat data: spec → checkpoint (decoder-only ONNX + tokenizer.json)
 * → conversations and A/B probes → the model's A/B decisions → policies over the prompts → attribution to
 * training conversations through the LM head → verification by retraining it → the same report shape as a
 * classifier audit, so the CLI, the panel, CodeLens and Problems show it without knowing the difference.
 */
import { promises as fs } from 'node:fs';
import type { Example } from '../../data/example';
import { CausalLm, DEFAULT_CHAT_TEMPLATE, type ChatTemplate } from '../../chat';
import { PolicyTraceError } from '../../errors';
import { resolveCheckpoint } from '../../model/checkpoint';
import { inspectModel } from '../../model/inspect';
import type { AuditReport, PredictionRow } from '../../report/schema';
import { sourceRefOf } from '../../report/sourceRef';
import type { ChatSpec, ResolvedSpec } from '../../spec/auditSpec';
import { modelSummary, reportHeader } from '../reportParts';
import type { AuditProgress } from '../auditContext';
import { stageReporter } from '../stageReporter';
import { attributeChatPolicies } from './chatAttribution';
import { loadChatAuditData } from './chatAuditData';
import { findChatPolicies } from './chatPolicies';
import { findGeneratedPolicies } from './chatGeneration';

export interface ChatAuditOptions {
  hypotheses?: string[];
  verify?: boolean;
  predictOnly?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: AuditProgress) => void;
}

export async function runChatAudit(spec: ResolvedSpec, options: ChatAuditOptions): Promise<AuditReport> {
  const { signal } = options;
  const timings: Record<string, number> = {};
  const { progress, timed } = stageReporter(timings, options.onProgress);
  if (spec.featurizer.kind !== 'hfTokenizer') {
    throw new PolicyTraceError('a chat audit reads text through the model\'s tokenizer.json: set featurizer.kind to "hfTokenizer"', { file: spec.specPath, field: 'featurizer.kind' }, 'spec');
  }
  progress('load', 'reading the model and its tokenizer');
  const checkpoint = await resolveCheckpoint(spec.checkpoint);
  const tokenizerFile = spec.featurizer.tokenizer ?? checkpoint.tokenizerPath;
  if (!tokenizerFile) throw new PolicyTraceError('no tokenizer.json beside the checkpoint and none in featurizer.tokenizer', { file: spec.specPath, field: 'featurizer.tokenizer' }, 'spec');
  const inspection = await timed('inspect', () => inspectModel(checkpoint.modelPath));
  const modelBytes = await fs.readFile(checkpoint.modelPath);

  progress('read', 'reading conversations and probes');
  const data = await timed('read', () => loadChatAuditData(spec, signal));
  const warnings = [...data.warnings];
  const lm = await CausalLm.open({
    modelBytes,
    tokenizerFile,
    template: chatTemplate(spec.chat),
    file: checkpoint.modelPath,
    ...(spec.chat?.maxLength !== undefined && { maxLength: spec.chat.maxLength }),
    ...(spec.options.threads !== undefined && { threads: spec.options.threads }),
  });
  try {
    if ((spec.chat?.behaviour ?? 'abChoice') !== 'abChoice') return await generationAudit(spec, options, data, lm, inspection, warnings, timings);
    progress('predict', `scoring both answers of ${data.probes.length} probes`);
    const hypotheses = options.predictOnly ? [] : [...spec.hypotheses, ...(options.hypotheses ?? [])];
    const found = await timed('policies', () =>
      findChatPolicies({ spec, data, lm, hypotheses, ...(signal && { signal }), onProgress: (fraction) => progress('predict', undefined, fraction) }),
    );
    const matching = found.margins.reduce((count, margin) => count + (margin > 0 ? 1 : 0), 0);
    const report: AuditReport = {
      ...reportHeader(spec),
      model: modelSummary(inspection, found.classes),
      datasets: data.summaries,
      metrics: [{ split: 'probe', examples: data.probes.length, predictedClassCounts: { [found.classes[1]]: matching, [found.classes[0]]: data.probes.length - matching } }],
      predictions: predictionRows(data.probes.map((p) => p.example), found.margins, found.classes, spec.options.predictionsInReport),
      warnings,
      timings,
    };
    warnings.push(`Chat audit: ${data.conversations.length} training conversations, ${data.probes.length} A/B probes; a probe's decision is the answer with the higher log-probability.`);
    if (options.predictOnly) return report;
    report.policies = found.policySet;
    progress('attribution', 'attributing policies to training conversations');
    const verify = options.verify ?? spec.options.verify;
    const attributed = await timed('attribution', () =>
      attributeChatPolicies({
        spec,
        data,
        found,
        encoder: lm.encoder,
        modelBytes,
        modelFile: checkpoint.modelPath,
        verify,
        ...(signal && { signal }),
        onProgress: (message) => progress(verify ? 'verify' : 'attribution', message),
      }),
    );
    report.model = modelSummary(inspection, found.classes, attributed.head);
    report.attribution = attributed.attribution;
    progress('report', 'writing the report');
    return report;
  } finally {
    await lm.dispose();
  }
}

/**
 * Refusal, verbosity and pattern behaviours: the model answers every probe prompt, policies are learned over
 * the prompts. Attribution needs a margin to differentiate, which only the A/B behaviour has: the report says so.
 */
async function generationAudit(
  spec: ResolvedSpec,
  options: ChatAuditOptions,
  data: Awaited<ReturnType<typeof loadChatAuditData>>,
  lm: CausalLm,
  inspection: Awaited<ReturnType<typeof inspectModel>>,
  warnings: string[],
  timings: Record<string, number>,
): Promise<AuditReport> {
  const { progress, timed } = stageReporter(timings, options.onProgress);
  progress('predict', `answering ${data.generationProbes.length} probe prompts`);
  const hypotheses = options.predictOnly ? [] : [...spec.hypotheses, ...(options.hypotheses ?? [])];
  const found = await timed('policies', () =>
    findGeneratedPolicies({ spec, data, lm, hypotheses, ...(options.signal && { signal: options.signal }), onProgress: (fraction) => progress('predict', undefined, fraction) }),
  );
  const counts = Object.fromEntries(found.classes.map((c) => [c, found.labels.filter((l) => l === c).length]));
  warnings.push(
    `Chat audit of generated answers (${spec.chat?.behaviour}): ${data.generationProbes.length} probe prompts answered greedily (at most ${spec.chat?.maxNewTokens ?? 32} tokens). ` +
      'Attribution to training conversations needs the A/B behaviour (a margin between two answers); it is not computed for generated answers.',
  );
  const report: AuditReport = {
    ...reportHeader(spec),
    model: modelSummary(inspection, found.classes),
    datasets: data.summaries,
    metrics: [{ split: 'probe', examples: data.generationProbes.length, predictedClassCounts: counts }],
    predictions: data.generationProbes.slice(0, spec.options.predictionsInReport).map((probe, i) => ({
      ...sourceRefOf(probe.example),
      role: 'probe' as const,
      predicted: found.labels[i],
      confidence: 1,
    })),
    warnings,
    timings,
  };
  if (!options.predictOnly) report.policies = found.policySet;
  progress('report', 'writing the report');
  return report;
}

function chatTemplate(chat: ChatSpec | undefined): ChatTemplate {
  const given = chat?.template ?? {};
  const roles = DEFAULT_CHAT_TEMPLATE.roleTokens;
  return {
    roleTokens: { system: given.system ?? roles.system, user: given.user ?? roles.user, assistant: given.assistant ?? roles.assistant },
    endOfTurn: given.endOfTurn ?? DEFAULT_CHAT_TEMPLATE.endOfTurn,
    pad: given.pad ?? DEFAULT_CHAT_TEMPLATE.pad,
  };
}

/** The probes the model is least sure about first: a margin near 0 is a decision that could go either way. */
function predictionRows(examples: Example[], margins: Float64Array, classes: string[], limit: number): PredictionRow[] {
  return Array.from(margins.keys())
    .sort((a, b) => Math.abs(margins[a]) - Math.abs(margins[b]) || a - b)
    .slice(0, limit)
    .map((i) => ({
      ...sourceRefOf(examples[i]),
      role: 'probe' as const,
      predicted: classes[margins[i] > 0 ? 1 : 0],
      confidence: 1 / (1 + Math.exp(-Math.abs(margins[i]))),
    }));
}
