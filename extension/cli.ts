/**
 * `policytrace` — the same audit as the editor, headless. Results go to stdout (tables or --json), progress
 * and errors to stderr; Ctrl-C cancels the running stage cleanly.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runAudit, type AuditProgress } from './engine/audit/runAudit';
import { TOOL_VERSION } from './engine/audit/version';
import { describeError } from './engine/errors';
import { inspectModel } from './engine/model/inspect';
import { prepareModel } from './engine/model/prepare';
import { resolveCheckpoint } from './engine/model/checkpoint';
import { renderHtmlReport } from './engine/report/renderHtml';
import { renderMarkdownReport } from './engine/report/renderMarkdown';
import type { AuditReport } from './engine/report/schema';
import { helpText, parseCommandLine, requireSpec, threadsOption, UsageError, type ParsedCommand } from './cli/args';
import { formatInspection } from './cli/formatInspection';
import { formatAudit, formatSummary } from './cli/formatReport';

async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`policytrace: ${error.message}\n\n${helpText()}\n`);
      return 2;
    }
    throw error;
  }
  if (parsed === 'help') {
    process.stdout.write(helpText() + '\n');
    return 0;
  }
  if (parsed === 'version') {
    process.stdout.write(`policytrace ${TOOL_VERSION}\n`);
    return 0;
  }
  const controller = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\npolicytrace: cancelling…\n');
    controller.abort();
  });
  try {
    return await runCommand(parsed, controller.signal);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`policytrace: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`policytrace: ${describeError(error)}\n`);
    if (process.env.POLICYTRACE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

async function runCommand({ command, positionals, values }: ParsedCommand, signal: AbortSignal): Promise<number> {
  const json = values.json === true;
  if (command.name === 'inspect') {
    const checkpoint = await resolveCheckpoint(positionals[0]);
    const inspection = await inspectModel(checkpoint.modelPath);
    const prepared = prepareModel(await fs.readFile(checkpoint.modelPath), { file: checkpoint.modelPath });
    if (json) {
      const { bytes: _bytes, ...rest } = prepared;
      const head = rest.head && { ...rest.head, weight: undefined, bias: undefined };
      process.stdout.write(JSON.stringify({ checkpoint, inspection, head, headMissingReason: rest.headMissingReason }, null, 2) + '\n');
    } else {
      process.stdout.write(formatInspection(inspection, prepared) + '\n');
    }
    return 0;
  }
  const specPath = requireSpec(values, command);
  const threads = threadsOption(values);
  const quiet = values.quiet === true || json;
  const hypotheses = command.name === 'hypothesis' ? [positionals[0]] : ((values.hypothesis as string[] | undefined) ?? []);
  const report = await runAudit({
    specPath,
    signal,
    hypotheses,
    ...(threads !== undefined && { threads }),
    ...(values['no-verify'] === true && { verify: false }),
    ...(command.name === 'predict' && { predictOnly: true }),
    ...(cacheDirOption(values) !== undefined && { cacheDir: cacheDirOption(values) }),
    onProgress: quiet ? undefined : progressPrinter(),
  });
  if (command.name === 'hypothesis' && report.policies) {
    // Only the stated rule matters here; the extracted list stays in the JSON report.
    const stated = report.policies.policies.filter((p) => p.origin === 'hypothesis');
    report.policies = { ...report.policies, policies: stated };
    report.attribution = report.attribution?.filter((a) => stated.some((p) => p.id === a.policyId));
  }
  await writeOutputs(report, values);
  if (json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write((command.name === 'predict' ? formatSummary(report) : formatAudit(report)) + '\n');
  return 0;
}

/** --no-cache: none; --cache-dir DIR; else the user's cache folder ($XDG_CACHE_HOME or ~/.cache). */
function cacheDirOption(values: ParsedCommand['values']): string | undefined {
  if (values['no-cache'] === true) return undefined;
  if (typeof values['cache-dir'] === 'string') return path.resolve(values['cache-dir']);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'policytrace');
}

async function writeOutputs(report: AuditReport, values: ParsedCommand['values']): Promise<void> {
  const targets: [unknown, (r: AuditReport) => string][] = [
    [values.out, (r) => JSON.stringify(r, null, 2) + '\n'],
    [values.markdown, (r) => renderMarkdownReport(r)],
    [values.html, (r) => renderHtmlReport(r)],
  ];
  for (const [target, render] of targets) {
    if (typeof target !== 'string') continue;
    const file = path.resolve(target);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, render(report));
    process.stderr.write(`policytrace: wrote ${file}\n`);
  }
}

function progressPrinter(): (progress: AuditProgress) => void {
  let last = '';
  return (progress) => {
    if (!progress.message) return;
    const line = `[${progress.stage}] ${progress.message}`;
    if (line === last) return;
    last = line;
    process.stderr.write(line + '\n');
  };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`policytrace: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
