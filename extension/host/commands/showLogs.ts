import type { PolicyTraceCommand } from '../hostContext';
import { CommandId } from './commandIds';

/** PolicyTrace: Show Logs. */
export const showLogsCommand: PolicyTraceCommand = {
  id: CommandId.ShowLogs,
  run(ctx) {
    ctx.log.show(true);
  },
};
