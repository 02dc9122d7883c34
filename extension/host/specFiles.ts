/**
 * Finding, choosing and editing the workspace's audit spec (`policytrace.json`). The engine validates the
 * spec when an audit runs; here we only locate it and change the fields the pickers set, keeping every
 * other field as it was.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';

export const SPEC_FILE_NAME = 'policytrace.json';
const SPEC_GLOB = `**/${SPEC_FILE_NAME}`;
const SPEC_EXCLUDE = '{**/node_modules/**,**/.git/**}';

export async function findSpecs(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles(SPEC_GLOB, SPEC_EXCLUDE, 50);
  return found.sort((a, b) => a.fsPath.length - b.fsPath.length || a.fsPath.localeCompare(b.fsPath));
}

/** The one spec, or the user's choice among several; undefined (after saying why) when there is none. */
export async function pickSpec(options: { offerCreate: boolean } = { offerCreate: true }): Promise<vscode.Uri | undefined> {
  const specs = await findSpecs();
  if (specs.length === 1) return specs[0];
  if (specs.length > 1) {
    const picked = await vscode.window.showQuickPick(
      specs.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
      { title: vscode.l10n.t('Which audit spec?'), placeHolder: SPEC_FILE_NAME },
    );
    return picked?.uri;
  }
  if (options.offerCreate) {
    const create = vscode.l10n.t('Create Audit Spec');
    const answer = await vscode.window.showWarningMessage(vscode.l10n.t('No {0} in this workspace.', SPEC_FILE_NAME), create);
    if (answer === create) await vscode.commands.executeCommand('policytrace.createAuditSpec');
  }
  return undefined;
}

export async function readSpecJson(uri: vscode.Uri): Promise<Record<string, unknown>> {
  const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).replace(/^\uFEFF/, '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${uri.fsPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${uri.fsPath}: the audit spec must be a JSON object`);
  return parsed as Record<string, unknown>;
}

export async function writeSpecJson(uri: vscode.Uri, spec: Record<string, unknown>): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(spec, null, 2)}\n`));
}

/** Changes some top-level fields of a spec and opens it so the user sees what changed. */
export async function updateSpec(uri: vscode.Uri, changes: Record<string, unknown>): Promise<void> {
  const spec = await readSpecJson(uri);
  await writeSpecJson(uri, { ...spec, ...changes });
  await vscode.window.showTextDocument(uri, { preview: true });
}

/** A path as the spec stores it: relative to the spec's folder, with forward slashes. */
export function specRelativePath(specUri: vscode.Uri, target: vscode.Uri): string {
  return path.relative(path.dirname(specUri.fsPath), target.fsPath).split(path.sep).join('/');
}
