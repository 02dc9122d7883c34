/**
 * Per-example gradient outputs for every parameter whose uses are all understood (parameterUses.ts): one
 * contribution per use, summed per parameter. A parameter with any use left unexplained gets no output
 * rather than a partial one, and is listed with the reason.
 */
import { BackwardGraph } from './backward';
import { GraphEmitter } from './graphEmitter';
import { ParameterUse } from './parameterUses';
import { emitElementwisePerExample } from './perExampleElementwise';
import { EmittedPerExample, emitLinearPerExample } from './perExampleLinear';
import { BatchLayout } from './probe';
import { ProjectionOptions } from './projection';

export interface PerExampleResult {
  /** param → per-example gradient, [batch, ...param dims] (or [batch, kOut, kIn] for projected layers). */
  outputs: Map<string, EmittedPerExample & { projected: boolean }>;
  /** Projected layers with exactly one use: its K-FAC factor rows (a parameter used twice has no Kronecker form). */
  factors: Map<string, { activation: string; delta: string }>;
  skipped: { param: string; reason: string }[];
}

export function appendPerExampleGradients(
  emit: GraphEmitter,
  uses: ParameterUse[],
  otherwiseUsed: Set<string>,
  backward: BackwardGraph,
  layouts: Map<string, BatchLayout>,
  projection?: ProjectionOptions,
): PerExampleResult {
  const skipped = new Map<string, string>();
  for (const param of otherwiseUsed) skipped.set(param, 'used by an op other than a linear, embedding or elementwise use');
  const contributions = new Map<string, { outputs: string[]; shape: number[]; projected: boolean; factors: ({ activation: string; delta: string } | undefined)[] }>();
  for (const use of uses) {
    if (skipped.has(use.param)) continue;
    const delta = backward.gradientOf(use.node.output![0]);
    if (!delta) continue; // this use does not influence the objective
    const projected = Boolean(projection) && use.kind !== 'elementwise';
    const emitted =
      use.kind === 'elementwise' ? emitElementwisePerExample(emit, use, delta, layouts) : emitLinearPerExample(emit, use, delta, layouts, projection);
    const entry = contributions.get(use.param);
    if (typeof emitted === 'string') skipped.set(use.param, emitted);
    else if (entry && (entry.projected !== projected || entry.shape.join() !== emitted.shape.join())) skipped.set(use.param, 'used both as a layer weight and elementwise');
    else {
      contributions.set(use.param, {
        outputs: [...(entry?.outputs ?? []), emitted.output],
        shape: emitted.shape,
        projected,
        factors: [...(entry?.factors ?? []), emitted.factors],
      });
    }
  }
  const outputs = new Map<string, EmittedPerExample & { projected: boolean }>();
  const factors = new Map<string, { activation: string; delta: string }>();
  for (const [param, entry] of contributions) {
    if (skipped.has(param)) continue;
    outputs.set(param, { output: emit.sum(entry.outputs), shape: entry.shape, projected: entry.projected });
    if (entry.factors.length === 1 && entry.factors[0]) factors.set(param, entry.factors[0]);
  }
  return { outputs, factors, skipped: [...skipped].map(([param, reason]) => ({ param, reason })) };
}
