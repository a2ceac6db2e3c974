import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '@dailysync/sync';
import type { DiagnoseCommandOptions, PlanCommandOptions, SyncCommandOptions, VerifyCommandOptions } from '@dailysync/commands';

/** Every command takes --help / -h. */
const HELP_OPTION = { type: 'boolean', short: 'h' } as const;

export type CliCommand =
  | { command: 'help' }
  | { command: 'version' }
  | { command: 'sync'; options: SyncCommandOptions }
  | { command: 'merge-reports'; files: string[]; out?: string }
  | { command: 'verify'; options: VerifyCommandOptions }
  | { command: 'plan'; options: PlanCommandOptions }
  | { command: 'diagnose'; options: DiagnoseCommandOptions };

/** `merge-reports FILE... [--out FILE]`: combines the JSON reports of several shards. */
function parseMergeReports(args: readonly string[]): CliCommand {
  const parsed = parseStrict({ args: [...args], options: { out: { type: 'string' }, help: HELP_OPTION }, strict: true, allowPositionals: true });
  if (parsed.values.help) return { command: 'help' };
  if (parsed.positionals.length === 0) {
    throw new ConfigError('merge-reports needs report files: dailysync merge-reports shard-1.json shard-2.json ... [--out merged.json]');
  }
  if (parsed.values.out !== undefined && parsed.values.out.trim() === '') {
    throw new ConfigError('--out is empty: give a file name for the merged report, e.g. --out=merged.json');
  }
  return { command: 'merge-reports', files: parsed.positionals, ...(parsed.values.out === undefined ? {} : { out: parsed.values.out }) };
}

const SYNC_OPTIONS = {
  source: { type: 'string' },
  dest: { type: 'string' },
  concurrency: { type: 'string' },
  delete: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  bwlimit: { type: 'string' },
  retries: { type: 'string' },
  'max-delete': { type: 'string' },
  'max-shrink': { type: 'string' },
  'source-marker': { type: 'string' },
  'dest-marker': { type: 'string' },
  'dest-fs': { type: 'string', multiple: true },
  'no-hard-links': { type: 'boolean' },
  'no-acls': { type: 'boolean' },
  'no-xattrs': { type: 'boolean' },
  report: { type: 'string' },
  plain: { type: 'boolean' },
  config: { type: 'string' },
  junit: { type: 'string' },
  html: { type: 'string' },
  json: { type: 'boolean' },
  'metrics-file': { type: 'string' },
  'notify-url': { type: 'string' },
  'log-file': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'ssh-port': { type: 'string' },
  'ssh-identity': { type: 'string' },
  'ssh-known-hosts': { type: 'string' },
  'ssh-host-key-checking': { type: 'string' },
  timeout: { type: 'string' },
  shard: { type: 'string' },
  help: HELP_OPTION,
} as const;

/** `verify --source DIR --dest DIR [--checksum] [--report FILE]`. */
function parseVerify(args: readonly string[]): CliCommand {
  const { values } = parseStrict({
    args: [...args],
    options: { source: { type: 'string' }, dest: { type: 'string' }, checksum: { type: 'boolean' }, report: { type: 'string' }, help: HELP_OPTION },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { command: 'help' };
  return { command: 'verify', options: { source: values.source, dest: values.dest, checksum: values.checksum, report: values.report } };
}

/** `diagnose --source DIR --dest DIR [--seconds N] [--json]`. */
function parseDiagnose(args: readonly string[]): CliCommand {
  const { values } = parseStrict({
    args: [...args],
    options: { source: { type: 'string' }, dest: { type: 'string' }, seconds: { type: 'string' }, json: { type: 'boolean' }, help: HELP_OPTION },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { command: 'help' };
  return { command: 'diagnose', options: { source: values.source, dest: values.dest, seconds: values.seconds, json: values.json } };
}

/** `plan --source DIR --dest DIR [--concurrency N|auto] [--include P] [--exclude P] [--shard I/N] [--json]`. */
function parsePlan(args: readonly string[]): CliCommand {
  const { values } = parseStrict({
    args: [...args],
    options: {
      source: { type: 'string' },
      dest: { type: 'string' },
      concurrency: { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      shard: { type: 'string' },
      json: { type: 'boolean' },
      help: HELP_OPTION,
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return { command: 'help' };
  return {
    command: 'plan',
    options: { source: values.source, dest: values.dest, concurrency: values.concurrency, include: values.include, exclude: values.exclude, shard: values.shard, json: values.json },
  };
}

/** node:util's parseArgs, whose errors become one line that names the problem and the fix. */
function parseStrict<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageError(error);
  }
}

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
  if (first === 'merge-reports') return parseMergeReports(rest);
  if (first === 'verify') return parseVerify(rest);
  if (first === 'plan') return parsePlan(rest);
  if (first === 'diagnose') return parseDiagnose(rest);
  if (first !== 'sync') {
    throw new ConfigError(`unknown command "${first}": use "dailysync sync --source DIR --dest DIR" (see "dailysync --help")`);
  }
  const { values } = parseStrict({ args: [...rest], options: SYNC_OPTIONS, strict: true, allowPositionals: false });
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
      retries: parseNumber('retries', values.retries),
      maxDelete: values['max-delete'],
      maxShrink: values['max-shrink'],
      sourceMarker: values['source-marker'],
      destMarker: values['dest-marker'],
      destFs: values['dest-fs'],
      hardLinks: values['no-hard-links'] ? false : undefined,
      acls: values['no-acls'] ? false : undefined,
      xattrs: values['no-xattrs'] ? false : undefined,
      report: values.report,
      sshPort: values['ssh-port'],
      sshIdentity: values['ssh-identity'],
      sshKnownHosts: values['ssh-known-hosts'],
      sshHostKeyChecking: values['ssh-host-key-checking'] as SyncCommandOptions['sshHostKeyChecking'],
      timeout: parseNumber('timeout', values.timeout),
      shard: values.shard,
      // Left undefined unless given, so a config file's value is not overridden by a default.
      output: values.plain ? 'plain' : undefined,
      config: values.config,
      junit: values.junit,
      html: values.html,
      json: values.json,
      metricsFile: values['metrics-file'],
      notifyUrl: values['notify-url'],
      logFile: values['log-file'],
      quiet: values.quiet,
    },
  };
}
