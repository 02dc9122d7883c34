/**
 * The descriptive parts of the report: the model summary, accuracy per split, and the prediction rows a
 * person is most likely to want to look at (the least confident first, then mistakes).
 */
import type { ModelInspection } from '../model/inspect';
import type { PreparedModel } from '../model/prepare';
import { REPORT_SCHEMA_VERSION, type AuditReport, type ModelSummary, type PredictionRow, type SplitMetrics } from '../report/schema';
import { TOOL_VERSION } from './version';
import type { AuditData } from './auditData';
import { labelIndex } from './classes';
import type { ForwardResult } from './forwardPass';
import { argmaxRows } from './probabilities';
import type { Example } from '../data/example';
import { sourceRefOf } from '../report/sourceRef';

/** The fields every report starts with: format version, tool, time, and where the audit was run from. */
export function reportHeader(spec: { specPath: string; baseDir: string }): Pick<AuditReport, 'schemaVersion' | 'tool' | 'createdAt' | 'specPath' | 'workspaceRoot'> {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'policytrace', version: TOOL_VERSION },
    createdAt: new Date().toISOString(),
    specPath: spec.specPath,
    workspaceRoot: spec.baseDir,
  };
}

export function buildModelSummary(inspection: ModelInspection, prepared: PreparedModel, classes: string[]): ModelSummary {
  const head = prepared.head;
  const summary = head && { node: head.node, op: head.op, inputDim: head.inputDim, outputDim: head.outputDim, featureTensor: head.featureTensor };
  return modelSummary(inspection, classes, summary, prepared.headMissingReason);
}

/** The summary of any checkpoint: its graph facts, the classes (or outcomes) reported, and its head if found. */
export function modelSummary(inspection: ModelInspection, classes: string[], head?: ModelSummary['head'], headMissingReason?: string): ModelSummary {
  const opset = inspection.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  return {
    path: inspection.file,
    sha256: inspection.sha256,
    inputs: inspection.inputs.map((v) => ({ name: v.name, type: v.type, shape: v.shape ?? [] })),
    outputs: inspection.outputs.map((v) => ({ name: v.name, type: v.type, shape: v.shape ?? [] })),
    opset,
    opCounts: inspection.opCounts,
    parameterCount: inspection.parameterCount,
    classes,
    ...(head && { head }),
    ...(headMissingReason && { headMissingReason }),
  };
}

interface Scored {
  example: Example;
  role: 'train' | 'probe';
  probs: Float32Array;
  offset: number;
}

export function splitMetrics(data: AuditData, forward: ForwardResult, classes: string[]): SplitMetrics[] {
  return [
    metricsFor('train', data.train, forward.trainProbs, forward.columns, classes),
    metricsFor('probe', data.probes, forward.probeProbs, forward.columns, classes),
  ];
}

function metricsFor(split: string, examples: Example[], probs: Float32Array, columns: number, classes: string[]): SplitMetrics {
  const decisions = argmaxRows(probs, columns);
  const predictedClassCounts: Record<string, number> = {};
  let labelled = 0;
  let correct = 0;
  examples.forEach((example, i) => {
    const name = classes[decisions[i]] ?? String(decisions[i]);
    predictedClassCounts[name] = (predictedClassCounts[name] ?? 0) + 1;
    const gold = labelIndex(example.label, classes);
    if (gold < 0) return;
    labelled++;
    if (gold === decisions[i]) correct++;
  });
  return {
    split,
    examples: examples.length,
    ...(labelled > 0 && { accuracy: correct / labelled }),
    predictedClassCounts,
  };
}

export function buildPredictions(data: AuditData, forward: ForwardResult, classes: string[], limit: number): PredictionRow[] {
  const rows: Scored[] = [
    ...data.train.map((example, i) => ({ example, role: 'train' as const, probs: forward.trainProbs, offset: i * forward.columns })),
    ...data.probes.map((example, i) => ({ example, role: 'probe' as const, probs: forward.probeProbs, offset: i * forward.columns })),
  ];
  const scored = rows.map((row) => {
    const slice = row.probs.subarray(row.offset, row.offset + forward.columns);
    let best = 0;
    for (let c = 1; c < slice.length; c++) if (slice[c] > slice[best]) best = c;
    const gold = labelIndex(row.example.label, classes);
    return { row, predicted: best, confidence: slice[best], wrong: gold >= 0 && gold !== best };
  });
  scored.sort((a, b) => Number(b.wrong) - Number(a.wrong) || a.confidence - b.confidence);
  return scored.slice(0, limit).map(({ row, predicted, confidence }) => ({
    ...sourceRefOf(row.example),
    role: row.role,
    ...(row.example.label !== undefined && { label: row.example.label }),
    predicted: classes[predicted] ?? String(predicted),
    confidence,
  }));
}
