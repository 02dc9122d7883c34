import type { PolicyTraceCommand } from '../hostContext';
import { openSourceRange } from '../openSource';
import { CommandId } from './commandIds';

/** Internal: opens file:line..endLine (tree items); the same workspace check as panel messages. */
export const openSourceCommand: PolicyTraceCommand = {
  id: CommandId.OpenSource,
  async run(ctx, file?: unknown, line?: unknown, endLine?: unknown) {
    if (typeof file !== 'string' || typeof line !== 'number') return undefined;
    const outcome = await openSourceRange(file, line, typeof endLine === 'number' ? endLine : line, ctx.log);
    return outcome.opened;
  },
};
