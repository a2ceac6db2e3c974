import { parseArgs } from 'node:util';
import { ConfigError } from '@dailysync/sync';
import type { SyncCommandOptions } from '../sync/sync-command.js';

export type CliCommand =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'sync'; options: SyncCommandOptions };

const SYNC_OPTIONS = {
  source: { type: 'string' },
  dest: { type: 'string' },
  concurrency: { type: 'string' },
  delete: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  bwlimit: { type: 'string' },
  'no-hard-links': { type: 'boolean' },
  'no-acls': { type: 'boolean' },
  'no-xattrs': { type: 'boolean' },
  report: { type: 'string' },
  plain: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Turns node:util's parse errors into one line that names the problem and the fix. */
function usageError(error: unknown): ConfigError {
  const message = (error as Error).message.split('\n')[0] ?? String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return new ConfigError(`unknown option ${unknown[1]}: run "dailysync --help" for the options`);
  return new ConfigError(`${message.replace(/\.$/, '')}: run "dailysync --help" for the usage`);
}

function parseNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new ConfigError(`--${name} "${value}" is not a whole number: give e.g. --${name}=10000`);
  return n;
}

export function parseCli(argv: readonly string[]): CliCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') return { command: 'help' };
  if (first === '--version' || first === '-V') return { command: 'version' };
  if (first !== 'sync') {
    throw new ConfigError(`unknown command "${first}": use "dailysync sync --source DIR --dest DIR" (see "dailysync --help")`);
  }
  let values;
  try {
    ({ values } = parseArgs({ args: [...rest], options: SYNC_OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw usageError(error);
  }
  if (values.help) return { command: 'help' };
  return {
    command: 'sync',
    options: {
      source: values.source,
      dest: values.dest,
      concurrency: values.concurrency,
      delete: values.delete,
      dryRun: values['dry-run'],
      include: values.include,
      exclude: values.exclude,
      bwlimit: parseNumber('bwlimit', values.bwlimit),
      hardLinks: values['no-hard-links'] ? false : undefined,
      acls: values['no-acls'] ? false : undefined,
      xattrs: values['no-xattrs'] ? false : undefined,
      report: values.report,
      output: values.plain ? 'plain' : 'auto',
    },
  };
}
