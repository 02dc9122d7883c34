/** `policytrace inspect` output: what a person needs to wire a checkpoint into an audit spec. */
import type { ModelInspection } from '../engine/model/inspect';
import type { PreparedModel } from '../engine/model/prepare';

export function formatInspection(inspection: ModelInspection, prepared: PreparedModel): string {
  const lines: string[] = [];
  const shape = (s?: (number | string)[]) => (s ? `[${s.join(', ')}]` : '[?]');
  lines.push(`Model     ${inspection.file}`);
  lines.push(`Size      ${(inspection.sizeBytes / 1024).toFixed(1)} KiB, sha256 ${inspection.sha256.slice(0, 16)}…`);
  lines.push(`Format    IR ${inspection.irVersion}, opsets ${inspection.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ')}`);
  lines.push(`Producer  ${inspection.producer.name || '?'} ${inspection.producer.version || ''}`.trimEnd());
  lines.push(`Params    ${inspection.parameterCount.toLocaleString('en-US')} in ${inspection.initializers.length} initializers`);
  lines.push('', 'Inputs');
  for (const input of inspection.inputs) lines.push(`  ${input.name.padEnd(24)} ${input.type.padEnd(10)} ${shape(input.shape)}`);
  lines.push('', 'Outputs');
  for (const output of inspection.outputs) {
    const via = output.tensorSource ? `  (read through '${output.tensorSource.tensor}', fed to ${output.tensorSource.op})` : '';
    lines.push(`  ${output.name.padEnd(24)} ${output.type.padEnd(10)} ${shape(output.shape)}${via}`);
  }
  lines.push('', `Ops (${inspection.nodeCount} nodes)`);
  const ops = Object.entries(inspection.opCounts).sort((a, b) => b[1] - a[1]);
  lines.push('  ' + ops.map(([op, count]) => `${op} ×${count}`).join(', '));
  lines.push('', 'Head');
  const head = prepared.head;
  if (head) {
    lines.push(`  ${head.op} '${head.node}' ${head.inputDim} → ${head.outputDim} (weight '${head.weightSource}'${head.biasSource ? `, bias '${head.biasSource}'` : ''})`);
    lines.push(`  features: '${head.featureTensor}' [batch, ${head.inputDim}]   logits: '${head.logitsTensor}'   then ${head.postOps.join(' → ') || 'output'}`);
  } else {
    lines.push(`  none: ${prepared.headMissingReason ?? 'no linear layer found'}`);
    lines.push('  Policies can still be extracted; attribution needs a linear head or full-model gradients.');
  }
  if (inspection.notes.length > 0) {
    lines.push('', 'Notes');
    for (const note of inspection.notes) lines.push(`  - ${note}`);
  }
  return lines.join('\n');
}
