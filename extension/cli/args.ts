/**
 * Command-line parsing with node:util parseArgs: one table of commands, their options and help text, so
 * `policytrace --help` and the parser can never disagree.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  positionals: number;
  options: NonNullable<ParseArgsConfig['options']>;
}

const common = {
  json: { type: 'boolean', description: 'print JSON instead of a table' },
} as const;

/** The forward cache (default folder: $XDG_CACHE_HOME/policytrace or ~/.cache/policytrace). */
const caching = {
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
} as const;

export const COMMANDS: CommandSpec[] = [
  {
    name: 'inspect',
    summary: 'list a checkpoint’s inputs, outputs, ops, parameters and linear head',
    usage: 'policytrace inspect <model.onnx | checkpoint folder> [--json]',
    positionals: 1,
    options: { ...common },
  },
  {
    name: 'predict',
    summary: 'run the model over the spec’s data; print accuracy per split',
    usage: 'policytrace predict --spec policytrace.json [--out report.json] [--threads N] [--cache-dir DIR | --no-cache] [--quiet] [--json]',
    positionals: 0,
    options: { ...common, ...caching, spec: { type: 'string' }, out: { type: 'string' }, threads: { type: 'string' }, quiet: { type: 'boolean' } },
  },
  {
    name: 'audit',
    summary: 'extract policies, attribute them to training lines, verify by retraining',
    usage:
      'policytrace audit --spec policytrace.json [--out report.json] [--markdown report.md] [--html report.html]\n' +
      '                  [--hypothesis "<rule>"]... [--no-verify] [--threads N] [--cache-dir DIR | --no-cache] [--json]',
    positionals: 0,
    options: {
      ...common,
      ...caching,
      spec: { type: 'string' },
      out: { type: 'string' },
      markdown: { type: 'string' },
      html: { type: 'string' },
      hypothesis: { type: 'string', multiple: true },
      'no-verify': { type: 'boolean' },
      threads: { type: 'string' },
      quiet: { type: 'boolean' },
    },
  },
  {
    name: 'hypothesis',
    summary: 'audit one stated rule, e.g. contains("free") -> spam (see docs/hypothesis-syntax.md)',
    usage: 'policytrace hypothesis "<rule>" --spec policytrace.json [--out report.json] [--no-verify] [--cache-dir DIR | --no-cache] [--json]',
    positionals: 1,
    options: { ...common, ...caching, spec: { type: 'string' }, out: { type: 'string' }, 'no-verify': { type: 'boolean' }, threads: { type: 'string' }, quiet: { type: 'boolean' } },
  },
];

export interface ParsedCommand {
  command: CommandSpec;
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export function parseCommandLine(argv: string[]): ParsedCommand | 'help' | 'version' {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') return 'help';
  if (name === '--version' || name === '-v') return 'version';
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(`unknown command '${name}'`);
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${command.usage}`);
  }
  if (parsed.positionals.length !== command.positionals) {
    throw new UsageError(`'${name}' takes ${command.positionals} argument${command.positionals === 1 ? '' : 's'}\nusage: ${command.usage}`);
  }
  return { command, positionals: parsed.positionals, values: parsed.values as ParsedCommand['values'] };
}

export function helpText(): string {
  const lines = ['PolicyTrace — which training lines taught your model its behaviour', '', 'Commands:'];
  for (const command of COMMANDS) lines.push(`  ${command.name.padEnd(11)} ${command.summary}`);
  lines.push('', 'Usage:');
  for (const command of COMMANDS) lines.push(`  ${command.usage}`);
  lines.push('', 'Exit codes: 0 done, 1 the audit failed (the message names file and line or op and node), 2 bad usage.');
  return lines.join('\n');
}

export function requireSpec(values: ParsedCommand['values'], command: CommandSpec): string {
  const spec = values.spec;
  if (typeof spec !== 'string') throw new UsageError(`--spec is required\nusage: ${command.usage}`);
  return spec;
}

export function threadsOption(values: ParsedCommand['values']): number | undefined {
  if (values.threads === undefined) return undefined;
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer, got '${values.threads}'`);
  return threads;
}
