/** Typed access to the `policytrace.*` settings (declared with descriptions in package.json). */
import * as vscode from 'vscode';

export interface PolicyTraceSettings {
  threads: number;
  batchSize: number;
  topK: number;
  preconditioner: 'identity' | 'trak' | 'gauss-newton';
  projectionSize: number;
  exclusionListPath: string;
  autoReaudit: boolean;
}

export function readSettings(scope?: vscode.Uri): PolicyTraceSettings {
  const config = vscode.workspace.getConfiguration('policytrace', scope);
  return {
    threads: config.get<number>('threads', 0),
    batchSize: config.get<number>('batchSize', 256),
    topK: config.get<number>('topK', 10),
    preconditioner: config.get<PolicyTraceSettings['preconditioner']>('preconditioner', 'gauss-newton'),
    projectionSize: config.get<number>('projectionSize', 32),
    exclusionListPath: config.get<string>('exclusionListPath', '.policytrace/exclusions.json'),
    autoReaudit: config.get<boolean>('autoReaudit', true),
  };
}
