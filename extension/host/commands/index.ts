/** The command table: every command the extension registers, in one explicit list. */
import * as vscode from 'vscode';
import type { HostContext, PolicyTraceCommand } from '../hostContext';
import { addToExclusionsCommand } from './addToExclusions';
import { auditHypothesisCommand } from './auditHypothesis';
import { cancelAuditCommand } from './cancelAudit';
import { clearCacheCommand } from './clearCache';
import { createAuditSpecCommand } from './createAuditSpec';
import { exportCuratedDatasetCommand } from './exportCuratedDataset';
import { exportReportCommand } from './exportReport';
import { openDemoCommand } from './openDemo';
import { openPanelCommand } from './openPanel';
import { openReportCommand } from './openReport';
import { openSourceCommand } from './openSource';
import { runAuditCommand } from './runAudit';
import { selectCheckpointCommand } from './selectCheckpoint';
import { selectTrainingDataCommand } from './selectTrainingData';
import { showInPanelCommand } from './showInPanel';
import { showLogsCommand } from './showLogs';
import { verifyByRetrainingCommand } from './verifyByRetraining';

export const COMMANDS: readonly PolicyTraceCommand[] = [
  runAuditCommand,
  cancelAuditCommand,
  createAuditSpecCommand,
  selectCheckpointCommand,
  selectTrainingDataCommand,
  auditHypothesisCommand,
  openPanelCommand,
  openReportCommand,
  verifyByRetrainingCommand,
  exportCuratedDatasetCommand,
  exportReportCommand,
  showLogsCommand,
  clearCacheCommand,
  openDemoCommand,
  openSourceCommand,
  addToExclusionsCommand,
  showInPanelCommand,
];

export function registerCommands(ctx: HostContext): vscode.Disposable[] {
  return COMMANDS.map((command) =>
    vscode.commands.registerCommand(command.id, async (...args: unknown[]) => {
      try {
        return await command.run(ctx, ...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        ctx.log.error(`${command.id}: ${message}`);
        void vscode.window.showErrorMessage(vscode.l10n.t('PolicyTrace: {0}', message));
        return undefined;
      }
    }),
  );
}
