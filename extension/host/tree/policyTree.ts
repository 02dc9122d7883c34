/** The Policies view: each policy → its top proponent and opponent lines → click opens the line. */
import * as vscode from 'vscode';
import type { AttributedLine, Policy } from '../../engine/report/schema';
import { baseName, displaySnippet } from '../../shared/displayText';
import { formatShare, formatSigned, prettyRule } from '../../shared/scoreFormat';
import { resultsPath } from '../auditResults';
import type { AuditService } from '../auditService';
import { CommandId } from '../commands/commandIds';
import { readSettings } from '../settings';

type TreeNode =
  | { kind: 'policy'; policy: Policy; label: string }
  | { kind: 'side'; policy: Policy; side: 'proponents' | 'opponents'; lines: AttributedLine[] }
  | { kind: 'line'; policy: Policy; line: AttributedLine; side: 'proponents' | 'opponents' };

export class PolicyTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: AuditService) {
    this.subscription = service.onDidChangeResults(() => this.emitter.fire(undefined));
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const results = this.service.results;
    if (!results) return [];
    const attribution = (policy: Policy) => results.report.attribution?.find((a) => a.policyId === policy.id);
    if (!node) return (results.report.policies?.policies ?? []).map((policy, i) => ({ kind: 'policy', policy, label: `P${i + 1}` }));
    const topK = readSettings().topK;
    if (node.kind === 'policy') {
      const a = attribution(node.policy);
      if (!a) return [];
      return [
        { kind: 'side', policy: node.policy, side: 'proponents', lines: a.proponents.slice(0, topK) },
        { kind: 'side', policy: node.policy, side: 'opponents', lines: a.opponents.slice(0, topK) },
      ];
    }
    if (node.kind === 'side') return node.lines.map((line) => ({ kind: 'line', policy: node.policy, line, side: node.side }));
    return [];
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const results = this.service.results;
    if (node.kind === 'policy') {
      const hasAttribution = results?.report.attribution?.some((a) => a.policyId === node.policy.id) ?? false;
      const item = new vscode.TreeItem(`${node.label}  ${displaySnippet(prettyRule(node.policy.rule), 80)}`, hasAttribution ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.description = vscode.l10n.t('precision {0}, coverage {1}', formatShare(node.policy.metrics.precision), formatShare(node.policy.metrics.coverage));
      item.iconPath = new vscode.ThemeIcon(node.policy.origin === 'hypothesis' ? 'question' : 'law');
      item.contextValue = 'policy';
      item.command = { command: CommandId.ShowInPanel, title: vscode.l10n.t('Show in the policy panel'), arguments: [node.policy.id] };
      return item;
    }
    if (node.kind === 'side') {
      const label = node.side === 'proponents' ? vscode.l10n.t('Lines that teach it ({0})', node.lines.length) : vscode.l10n.t('Lines that oppose it ({0})', node.lines.length);
      const item = new vscode.TreeItem(label, node.lines.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.iconPath = new vscode.ThemeIcon(node.side === 'proponents' ? 'arrow-up' : 'arrow-down');
      return item;
    }
    const file = results ? resultsPath(results, node.line.file) : node.line.file;
    const item = new vscode.TreeItem(`${baseName(file)}:${node.line.line}`);
    item.description = `${formatSigned(node.line.deltaAdherence)}  ${displaySnippet(node.line.snippet, 60)}`;
    item.tooltip = `${displaySnippet(node.line.snippet, 400)}\n\n${vscode.l10n.t('Δ adherence if removed: {0}', formatSigned(node.line.deltaAdherence))}`;
    item.resourceUri = vscode.Uri.file(file);
    item.command = { command: CommandId.OpenSource, title: vscode.l10n.t('Open line'), arguments: [file, node.line.line, node.line.endLine] };
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
