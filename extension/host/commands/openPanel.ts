import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

/** PolicyTrace: Open Policy Panel. */
export const openPanelCommand: PolicyTraceCommand = {
  id: CommandId.OpenPanel,
  run(ctx) {
    ctx.panel.show();
  },
};
