import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

/** Internal: opens the panel on one policy (from CodeLens, the tree and quick fixes). */
export const showInPanelCommand: PolicyTraceCommand = {
  id: CommandId.ShowInPanel,
  run(ctx, policyId?: unknown, file?: unknown, line?: unknown) {
    if (typeof policyId !== 'string') {
      ctx.panel.show();
      return;
    }
    ctx.panel.show({ policyId, file: typeof file === 'string' ? file : undefined, line: typeof line === 'number' ? line : undefined });
  },
};
