// The CLI side of the option registry: the node:util parseArgs table of a command, the conversion
// of parsed flags into command options, and the --help texts. Imports only the registry, so
// `dailysync --help` loads none of the engine.
import { COMMAND_SUMMARIES, helpOf, optionsOf, type CommandName, type OptionSpec } from './registry.js';

/** The commands the `dailysync` program runs (history is an Nx executor only). */
export const CLI_COMMANDS = ['sync', 'plan', 'verify', 'diagnose', 'merge-reports', 'snapshots', 'restore'] as const satisfies readonly CommandName[];
export type CliCommandName = (typeof CLI_COMMANDS)[number];

export interface ParseArgsOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
}

/** The flags of a command's options (plus --help/-h), as node:util parseArgs expects them. */
export function parseArgsTable(command: CliCommandName): Record<string, ParseArgsOption> {
  const table: Record<string, ParseArgsOption> = {};
  for (const option of optionsOf(command)) {
    const cli = option.cli;
    if (!cli) continue;
    const boolean = cli.arg === undefined;
    table[cli.flag] = { type: boolean ? 'boolean' : 'string', ...(cli.short ? { short: cli.short } : {}), ...(cli.multiple ? { multiple: true } : {}) };
  }
  table['help'] = { type: 'boolean', short: 'h' };
  return table;
}

/** A flag's text that must be a whole number; the message names the flag and the fix. */
export class FlagValueError extends Error {
  override readonly name = 'FlagValueError';
}

function wholeNumber(flag: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new FlagValueError(`--${flag} "${value}" is not a whole number: give e.g. --${flag}=10000`);
  return n;
}

/**
 * Maps parseArgs values (keyed by flag) onto command options (keyed by registry key). Flags the
 * user did not give stay undefined, so config-file values and defaults can apply later.
 */
export function optionsFromFlags(command: CliCommandName, values: Record<string, unknown>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const option of optionsOf(command)) {
    const cli = option.cli;
    const value = cli ? values[cli.flag] : undefined;
    if (!cli || value === undefined) continue;
    if ('sets' in cli) {
      if (value === true) options[option.key] = cli.sets;
    } else if (cli.wholeNumber && typeof value === 'string') {
      options[option.key] = wholeNumber(cli.flag, value);
    } else {
      options[option.key] = value;
    }
  }
  return options;
}

const FLAG_COLUMN = 26;
const WIDTH = 100;

function wrap(words: string, indent: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words.split(/\s+/)) {
    if (line !== '' && indent + line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** "(default: auto)" for the help line, from the registry's default or its default text. */
export function defaultLabel(option: OptionSpec): string | undefined {
  if (option.defaultText !== undefined) return option.defaultText;
  if (option.default === undefined) return undefined;
  if (typeof option.default === 'boolean') return option.default ? 'on' : 'off';
  return String(option.default);
}

function flagLine(option: OptionSpec, command: CommandName): string {
  const cli = option.cli as NonNullable<OptionSpec['cli']>;
  const name = `  ${cli.short ? `-${cli.short}, ` : ''}--${cli.flag}${cli.arg ? ` ${cli.arg}` : ''}`;
  // A negated or value-setting flag has no default of its own: its default is the option's.
  const fallback = defaultLabel(option);
  const help = `${helpOf(option, command)}${fallback !== undefined && !('sets' in cli) ? ` (default: ${fallback})` : ''}`;
  const [first = '', ...rest] = wrap(help, FLAG_COLUMN);
  const head = name.length + 1 < FLAG_COLUMN ? `${name.padEnd(FLAG_COLUMN)}${first}` : `${name}\n${' '.repeat(FLAG_COLUMN)}${first}`;
  return [head, ...rest.map((l) => `${' '.repeat(FLAG_COLUMN)}${l}`)].join('\n');
}

const EXIT_STATUS = `Exit status: 0 all projects ok or with warnings, 1 a project failed, 2 bad usage or
configuration (nothing written), 75 another run holds the lock, 130 interrupted.
`;

/** `dailysync <command> --help`: that command's options only. */
export function commandHelp(command: CliCommandName): string {
  const { usage, summary } = COMMAND_SUMMARIES[command];
  const lines = [`${usage}`, '', ...wrap(summary, 0), '', 'Options:'];
  for (const option of optionsOf(command)) if (option.cli) lines.push(flagLine(option, command));
  lines.push(`${'  -h, --help'.padEnd(FLAG_COLUMN)}this text`, '', EXIT_STATUS);
  return lines.join('\n');
}

/** `dailysync --help`: the commands; each command's --help lists its options. */
export function overviewHelp(): string {
  const lines = ['dailysync: back up every project folder of a NAS tree with concurrent rsync tasks', '', 'Usage:'];
  for (const command of CLI_COMMANDS) {
    const { usage, summary } = COMMAND_SUMMARIES[command];
    lines.push(`  ${usage}`, ...wrap(summary, 6).map((l) => `      ${l}`));
  }
  lines.push('  dailysync <command> --help     the options of one command', '  dailysync --version', '', EXIT_STATUS);
  return lines.join('\n');
}
