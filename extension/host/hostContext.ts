/** What every command and view needs, built once in activate() (rust-analyzer's "Ctx" pattern). */
import type * as vscode from 'vscode';
import type { AuditService } from './auditService';
import type { FindingsStore } from './editor/findingsStore';
import type { PolicyPanel } from './panel/policyPanel';

export interface HostContext {
  extension: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  audits: AuditService;
  findings: FindingsStore;
  panel: PolicyPanel;
}

/** One palette or internal command: its id and what it does. */
export interface PolicyTraceCommand {
  id: string;
  run(context: HostContext, ...args: unknown[]): unknown;
}
