// The one place every dailysync option is defined. The CLI parser table, per-command --help, each
// Nx executor's schema.json / schema.d.ts, the config-file schema and the README options table are
// generated from it (scripts/generate-options.ts; a test fails when a generated file is stale).
// This module is plain data with no imports, so `dailysync --help` can load it without the engine.

/** A JSON-schema node (the small subset the config validator understands). */
export interface SchemaNode {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object';
  minLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
  oneOf?: readonly SchemaNode[];
  items?: SchemaNode;
  description?: string;
}

/** The front-end commands. `history` exists only as an Nx executor (the worked example). */
export const COMMANDS = ['sync', 'plan', 'verify', 'diagnose', 'merge-reports', 'snapshots', 'restore', 'history'] as const;
export type CommandName = (typeof COMMANDS)[number];

export interface CliFlag {
  /** Long flag without dashes, e.g. "max-delete" or "no-hard-links". */
  flag: string;
  short?: string;
  /** Placeholder shown in --help, e.g. "DIR" or "N|auto"; none for a boolean flag. */
  arg?: string;
  /** Repeatable flag (arrays). */
  multiple?: boolean;
  /** The flag's text is parsed as a whole number here; otherwise the command validates the text. */
  wholeNumber?: boolean;
  /** A boolean flag whose presence sets the option to this value (--no-hard-links: false, --plain: "plain"). */
  sets?: unknown;
}

export interface OptionSpec {
  /** Config-file key and Nx executor property. */
  key: string;
  /** Accepted values (type, bounds, enum, pattern); the same for the config file and the executors. */
  schema: SchemaNode;
  /** Applied only after config file, target options and flags are merged; never written into an executor schema. */
  default?: unknown;
  /** How a default that depends on something is shown (e.g. "300 remote, none local"). */
  defaultText?: string;
  /** One line for --help, schema descriptions and the README. */
  help: string;
  /** A different line for some commands (e.g. what concurrency means to `plan`). */
  helpFor?: Partial<Record<CommandName, string>>;
  /** Commands (CLI and executors) that take the option. */
  commands: readonly CommandName[];
  /** The CLI flag; none for an option only config files and executors take. */
  cli?: CliFlag;
  /** Allowed in dailysync.config.json (a sync option a scheduled run needs). */
  config?: boolean;
  /** Commands that take the key from a config file, when not all of `commands` should (default: all). */
  configFor?: readonly CommandName[];
  /** Relative values are paths (resolved against the config file's folder in a config file). */
  path?: boolean;
  /** Executors that require the option in their schema (others report a missing value themselves). */
  requiredFor?: readonly CommandName[];
  /** Not an Nx executor property (CLI-only). */
  cliOnly?: boolean;
  examples?: readonly unknown[];
}

const text = (minLength = 1): SchemaNode => ({ type: 'string', minLength });
const bool: SchemaNode = { type: 'boolean' };
const list: SchemaNode = { type: 'array', items: { type: 'string' } };
const concurrency: SchemaNode = { oneOf: [{ type: 'integer', minimum: 1, maximum: 256 }, { type: 'string', enum: ['auto'] }] };

/** Every option, in the order --help, the schemas and the README list them. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'source',
    schema: text(),
    help: 'The production tree; each direct subfolder is a project. An absolute path, [user@]host:/path (ssh) or rsync://host[:port]/module/path (daemon).',
    helpFor: {
      sync: 'The production tree; each direct subfolder is a project. An absolute path, [user@]host:/path (ssh) or rsync://host[:port]/module/path (daemon). Omit with dest to back up the built-in demo tree.',
      verify: 'The tree that was backed up (relative paths are resolved against the working directory).',
      diagnose: 'Existing directory the backup reads from; only read.',
    },
    commands: ['sync', 'plan', 'verify', 'diagnose', 'history'],
    cli: { flag: 'source', arg: 'DIR' },
    config: true,
    path: true,
    requiredFor: ['history'],
    examples: ['/data/prod'],
  },
  {
    key: 'dest',
    schema: text(),
    help: 'The backup root, same forms as source; a local one is created if its parent exists.',
    helpFor: {
      plan: 'The backup root; its recorded history (.dailysync/state.json) sizes the tasks when present.',
      verify: 'The backup root (relative paths are resolved against the working directory).',
      diagnose: 'Existing directory the backup writes to; the probe writes and removes only DEST/.dailysync-probe-<pid>.',
      snapshots: 'The backup root whose snapshots to list (relative paths are resolved against the working directory).',
      restore: 'The backup root to restore from, snapshot or mirror mode (relative paths are resolved against the working directory).',
    },
    commands: ['sync', 'plan', 'verify', 'diagnose', 'snapshots', 'restore', 'history'],
    cli: { flag: 'dest', arg: 'DIR' },
    config: true,
    // A config file's dest is what sync writes; snapshots and restore take no config file.
    configFor: ['sync', 'plan', 'verify', 'diagnose', 'history'],
    path: true,
    requiredFor: ['history', 'snapshots', 'restore'],
    examples: ['/data/prod_backup'],
  },
  {
    key: 'concurrency',
    schema: concurrency,
    default: 'auto',
    help: 'rsync processes at once (1-256), or "auto": starts moderate, adds streams while throughput rises, backs off when a disk or the CPU saturates. Large projects are split into parts by subfolder, largest work first.',
    helpFor: {
      plan: 'rsync processes at once to plan for (1-256), or "auto" (plans for where auto starts).',
      restore: 'rsync processes copying back at once (1-256), or "auto", as for sync.',
    },
    commands: ['sync', 'plan', 'restore', 'history'],
    cli: { flag: 'concurrency', arg: 'N|auto' },
    config: true,
    configFor: ['sync', 'plan', 'history'],
  },
  {
    key: 'delete',
    schema: bool,
    default: false,
    help: 'Delete files in the backup that no longer exist in the source.',
    helpFor: { restore: "Also delete files in --to that the restore point does not have (within the restored projects)." },
    commands: ['sync', 'restore'],
    cli: { flag: 'delete' },
    config: true,
    // A config file's delete is the nightly sync's: it must never make a restore delete.
    configFor: ['sync'],
  },
  {
    key: 'dryRun',
    schema: bool,
    default: false,
    help: 'Show what would change; write nothing.',
    helpFor: { restore: 'Show what would be copied back; write nothing.' },
    commands: ['sync', 'restore'],
    cli: { flag: 'dry-run' },
    config: true,
    configFor: ['sync'],
  },
  {
    key: 'include',
    schema: list,
    help: 'Back up only projects matching these names or patterns (* and ? wildcards); repeat the flag for several (an array in Nx options and the config file). A comma is part of a name; one that matches no project is refused (exit 2).',
    helpFor: { plan: 'Plan only projects matching these names or patterns (* and ? wildcards); repeat the flag for several. A comma is part of a name.' },
    defaultText: 'all',
    commands: ['sync', 'plan', 'history'],
    cli: { flag: 'include', arg: 'NAME', multiple: true },
    config: true,
    examples: [['alpha', 'cam*']],
  },
  {
    key: 'exclude',
    schema: list,
    help: 'Leave out projects matching these names or patterns; repeat the flag for several (never split on commas).',
    commands: ['sync', 'plan', 'history'],
    cli: { flag: 'exclude', arg: 'NAME', multiple: true },
    config: true,
  },
  {
    key: 'bwlimit',
    schema: { type: 'integer', minimum: 0 },
    default: 0,
    help: 'Bandwidth limit per rsync process in KiB/s; 0 means none.',
    helpFor: { plan: 'Bandwidth limit per rsync process in KiB/s, as the sync would use; the estimate honours it. 0 means none.' },
    commands: ['sync', 'plan'],
    cli: { flag: 'bwlimit', arg: 'KIB', wholeNumber: true },
    config: true,
  },
  {
    key: 'batchBelow',
    schema: { type: 'integer', minimum: 0 },
    default: 1000,
    help: 'Projects estimated below this many ms of work share one rsync (a batch), each still reported on its own; 0 gives every project its own rsync.',
    commands: ['sync', 'plan'],
    cli: { flag: 'batch-below', arg: 'MS', wholeNumber: true },
    config: true,
  },
  {
    key: 'hardLinks',
    schema: bool,
    default: true,
    help: 'Preserve hard links (rsync -H); the flag turns it off.',
    commands: ['sync'],
    cli: { flag: 'no-hard-links', sets: false },
    config: true,
  },
  {
    key: 'acls',
    schema: bool,
    default: true,
    help: 'Preserve ACLs (rsync -A); the flag turns it off, e.g. for a backup filesystem without ACLs.',
    commands: ['sync'],
    cli: { flag: 'no-acls', sets: false },
    config: true,
  },
  {
    key: 'xattrs',
    schema: bool,
    default: true,
    help: 'Preserve extended attributes (rsync -X); the flag turns it off.',
    commands: ['sync'],
    cli: { flag: 'no-xattrs', sets: false },
    config: true,
  },
  {
    key: 'report',
    schema: text(),
    help: 'Write the JSON report to this file, on every exit path (refusal, lock, interruption or error too); the path is checked before the backup starts.',
    helpFor: {
      verify: 'Write the verification result as JSON to this file.',
      restore: 'Write the JSON report of the restore to this file, on every exit path (refusal or error too).',
    },
    commands: ['sync', 'verify', 'restore'],
    cli: { flag: 'report', arg: 'FILE' },
    config: true,
    // A config file's report is the sync report: verify must not overwrite it with its own result.
    configFor: ['sync'],
    path: true,
    examples: ['/var/log/dailysync/report.json'],
  },
  {
    key: 'changedCheck',
    schema: { type: 'string', enum: ['auto', 'always', 'off'] },
    default: 'auto',
    help: 'Look at each copied file again after its rsync and copy it again if the source was written meanwhile: auto when the source is on this machine\'s disks, always (on a NAS mount too: two lookups per copied file), or off, like plain rsync.',
    commands: ['sync'],
    cli: { flag: 'changed-check', arg: 'auto|always|off' },
    config: true,
  },
  {
    key: 'retries',
    schema: { type: 'integer', minimum: 0, maximum: 20 },
    default: 2,
    help: 'Extra attempts after a transient rsync failure (connection, protocol stream, timeout), per task, with backoff.',
    commands: ['sync'],
    cli: { flag: 'retries', arg: 'N', wholeNumber: true },
    config: true,
  },
  {
    key: 'maxDelete',
    schema: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?%?$' }] },
    help: 'Refuse the whole run, before any deletion, if it would delete more entries than this count (500) or percent of the backup ("5%").',
    commands: ['sync'],
    cli: { flag: 'max-delete', arg: 'N|P%' },
    config: true,
  },
  {
    key: 'maxShrink',
    schema: { type: 'number', minimum: 0, maximum: 100 },
    default: 50,
    help: 'With delete, refuse a source that lost more than this percent of its entries since the last good run; 100 turns the check off.',
    commands: ['sync'],
    cli: { flag: 'max-shrink', arg: 'P' },
    config: true,
  },
  {
    key: 'sourceMarker',
    schema: text(),
    help: 'File that must exist in the source root (proves the share is mounted).',
    commands: ['sync'],
    cli: { flag: 'source-marker', arg: 'NAME' },
    config: true,
  },
  {
    key: 'destMarker',
    schema: text(),
    help: 'File that must exist in the backup root.',
    commands: ['sync'],
    cli: { flag: 'dest-marker', arg: 'NAME' },
    config: true,
  },
  {
    key: 'destFs',
    schema: list,
    help: 'Filesystem types the backup root must be on, e.g. nfs4 (repeatable); none means any.',
    defaultText: 'any',
    commands: ['sync'],
    cli: { flag: 'dest-fs', arg: 'TYPE', multiple: true },
    config: true,
    examples: [['nfs4', 'cifs']],
  },
  {
    key: 'output',
    schema: { type: 'string', enum: ['auto', 'tty', 'plain'] },
    default: 'auto',
    help: 'Live renderer on a terminal (auto), or plain log lines; the flag sets "plain".',
    commands: ['sync', 'restore'],
    cli: { flag: 'plain', sets: 'plain' },
    config: true,
    configFor: ['sync'],
  },
  {
    key: 'sshPort',
    schema: { type: 'integer', minimum: 1, maximum: 65535 },
    help: 'sshd port for a user@host:/path side.',
    defaultText: "ssh's (22 or ~/.ssh/config)",
    commands: ['sync', 'snapshots', 'restore'],
    cli: { flag: 'ssh-port', arg: 'N' },
    config: true,
  },
  {
    key: 'sshIdentity',
    schema: text(),
    help: 'Private key for ssh (ssh -i), absolute path; ssh runs with BatchMode=yes.',
    defaultText: "ssh's",
    commands: ['sync', 'snapshots', 'restore'],
    cli: { flag: 'ssh-identity', arg: 'FILE' },
    config: true,
    examples: ['/etc/dailysync/id_ed25519'],
  },
  {
    key: 'sshKnownHosts',
    schema: text(),
    help: "known_hosts file holding the backup host's key, absolute path.",
    defaultText: "ssh's",
    commands: ['sync', 'snapshots', 'restore'],
    cli: { flag: 'ssh-known-hosts', arg: 'FILE' },
    config: true,
    examples: ['/etc/dailysync/known_hosts'],
  },
  {
    key: 'sshHostKeyChecking',
    schema: { type: 'string', enum: ['yes', 'accept-new'] },
    help: 'Refuse hosts whose key is not in known_hosts (yes), or trust a host on first contact and refuse a changed key (accept-new).',
    defaultText: 'yes',
    commands: ['sync', 'snapshots', 'restore'],
    cli: { flag: 'ssh-host-key-checking', arg: 'yes|accept-new' },
    config: true,
  },
  {
    key: 'timeout',
    schema: { type: 'integer', minimum: 0, maximum: 86400 },
    help: 'rsync I/O timeout in seconds: no data for that long fails the attempt, which is retried.',
    defaultText: '300 remote, none local',
    commands: ['sync'],
    cli: { flag: 'timeout', arg: 'SECONDS', wholeNumber: true },
    config: true,
  },
  {
    key: 'shard',
    schema: { type: 'string', pattern: '^\\s*\\d+\\s*/\\s*\\d+\\s*$' },
    help: "Run only machine I's share of N (I from 1; a 0-based index such as JOB_COMPLETION_INDEX maps to I = index + 1).",
    helpFor: { plan: 'Mark which tasks machine I of N would run (I from 1).' },
    commands: ['sync', 'plan'],
    cli: { flag: 'shard', arg: 'I/N' },
    config: true,
    examples: ['1/3'],
  },
  {
    key: 'snapshots',
    schema: bool,
    default: false,
    help: 'Snapshot mode: each run writes a dated, complete tree DEST/snapshots/<UTC time>/, unchanged files hard-linked to the previous snapshot; published only when every task succeeded (see docs/restore.md).',
    commands: ['sync'],
    cli: { flag: 'snapshots' },
    config: true,
  },
  {
    key: 'snapshotName',
    schema: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{6}Z$' },
    help: 'Snapshot name (UTC, YYYY-MM-DDTHHMMSSZ) shared by every shard of one night.',
    defaultText: 'the start time',
    commands: ['sync'],
    cli: { flag: 'snapshot-name', arg: 'NAME' },
    config: true,
    examples: ['2026-12-02T013000Z'],
  },
  {
    key: 'keepLast',
    schema: { type: 'integer', minimum: 1 },
    help: 'Snapshot mode, retention after a good run (restic forget rules; the newest snapshot always stays): keep the newest N snapshots. No --keep-* at all: keep every snapshot.',
    commands: ['sync'],
    // The text is validated by the snapshot engine ("--keep-last "x" is not valid").
    cli: { flag: 'keep-last', arg: 'N' },
    config: true,
  },
  {
    key: 'keepDaily',
    schema: { type: 'integer', minimum: 1 },
    help: 'Snapshot mode: keep the newest snapshot of each of the last N days that have one (UTC).',
    commands: ['sync'],
    cli: { flag: 'keep-daily', arg: 'N' },
    config: true,
  },
  {
    key: 'keepWeekly',
    schema: { type: 'integer', minimum: 1 },
    help: 'Snapshot mode: keep the newest snapshot of each of the last N ISO weeks that have one.',
    commands: ['sync'],
    cli: { flag: 'keep-weekly', arg: 'N' },
    config: true,
  },
  {
    key: 'keepMonthly',
    schema: { type: 'integer', minimum: 1 },
    help: 'Snapshot mode: keep the newest snapshot of each of the last N months that have one.',
    commands: ['sync'],
    cli: { flag: 'keep-monthly', arg: 'N' },
    config: true,
  },
  {
    key: 'pruneDryRun',
    schema: bool,
    default: false,
    help: 'Snapshot mode: report what retention would remove; remove nothing.',
    commands: ['sync'],
    cli: { flag: 'prune-dry-run' },
    config: true,
  },
  {
    key: 'config',
    schema: text(),
    help: 'Read options from this dailysync.config.json (schema: docs/dailysync.config.schema.json); flags and target options override its values.',
    commands: ['sync', 'plan', 'verify', 'diagnose'],
    cli: { flag: 'config', arg: 'FILE' },
    examples: ['dailysync.config.json'],
  },
  {
    key: 'junit',
    schema: text(),
    help: 'Write JUnit XML with one test case per project to this file (for CI dashboards).',
    commands: ['sync'],
    cli: { flag: 'junit', arg: 'FILE' },
    config: true,
    path: true,
    examples: ['/var/log/dailysync/junit.xml'],
  },
  {
    key: 'html',
    schema: text(),
    help: 'Write a self-contained HTML report (task timeline, CPU/disk/network/memory charts, bottleneck verdict) to this file.',
    commands: ['sync'],
    cli: { flag: 'html', arg: 'FILE' },
    config: true,
    path: true,
    examples: ['/var/log/dailysync/report.html'],
  },
  {
    key: 'listDeletions',
    schema: text(),
    help: 'With delete: write every path deleted (with dry run: that would be deleted) to this file, one per line, relative to the backup root; a dry run also prints the first 20 per project.',
    commands: ['sync'],
    cli: { flag: 'list-deletions', arg: 'FILE' },
    config: true,
    path: true,
    examples: ['/var/log/dailysync/deletions.txt'],
  },
  {
    key: 'json',
    schema: bool,
    default: false,
    help: 'One JSON event per line on stdout (plan, task start, progress, task finish, report) for log shippers; human output goes to stderr.',
    helpFor: {
      plan: 'Print the plan as JSON instead of a table.',
      diagnose: 'Print the result as JSON instead of the human summary.',
      snapshots: 'Print the list as JSON instead of a table.',
    },
    commands: ['sync', 'plan', 'diagnose', 'snapshots'],
    cli: { flag: 'json' },
  },
  {
    key: 'metricsFile',
    schema: text(),
    help: "Write Prometheus metrics of the run (text format, for node_exporter's textfile collector) to this file at the end of every run, whatever the exit.",
    commands: ['sync'],
    cli: { flag: 'metrics-file', arg: 'FILE' },
    config: true,
    path: true,
    examples: ['/var/lib/node_exporter/textfile/dailysync.prom'],
  },
  {
    key: 'notifyUrl',
    schema: text(),
    help: 'Health-check ping URL (healthchecks.io style): URL/start when the run starts, URL on success, URL/fail with the exit status and a summary on failure. A ping that fails never fails the backup.',
    commands: ['sync'],
    cli: { flag: 'notify-url', arg: 'URL' },
    config: true,
    examples: ['https://hc-ping.com/your-check-uuid'],
  },
  {
    key: 'logFile',
    schema: text(),
    help: "Append the run's lines, with ISO-8601 timestamps, to this file.",
    commands: ['sync'],
    cli: { flag: 'log-file', arg: 'FILE' },
    config: true,
    path: true,
    examples: ['/var/log/dailysync/dailysync.log'],
  },
  {
    key: 'quiet',
    schema: bool,
    default: false,
    help: 'Print only the summary and errors (no progress lines, no live view).',
    commands: ['sync'],
    cli: { flag: 'quiet', short: 'q' },
    config: true,
  },
  {
    key: 'checksum',
    schema: bool,
    default: false,
    help: 'Compare file contents (thorough, reads every file) instead of size and modification time (fast).',
    commands: ['verify'],
    cli: { flag: 'checksum' },
  },
  {
    key: 'at',
    schema: text(),
    // restore applies it; verify leaves --at unset to mean "the newest snapshot when there are any, else the mirror", which latest also means.
    default: 'latest',
    help: 'latest, a snapshot name, or a UTC date/time: the newest complete snapshot at or before it (a mirror-mode backup has only latest).',
    helpFor: { verify: 'Snapshot to compare the source with: latest, a snapshot name, or a UTC date/time (the newest complete snapshot at or before it); latest is the newest snapshot when the backup has any, else the mirror.' },
    commands: ['verify', 'restore'],
    cli: { flag: 'at', arg: 'DATE|latest' },
    examples: ['latest', '2026-12-01'],
  },
  {
    key: 'to',
    schema: text(),
    help: 'Folder to restore into; it must be empty unless --force (relative paths are resolved against the working directory).',
    commands: ['restore'],
    cli: { flag: 'to', arg: 'DIR' },
    path: true,
    requiredFor: ['restore'],
    examples: ['/data/restore'],
  },
  {
    key: 'project',
    schema: list,
    help: 'Restore only this project (repeat the flag for several; an array in Nx options).',
    defaultText: 'the whole tree with its root files',
    commands: ['restore'],
    cli: { flag: 'project', arg: 'NAME', multiple: true },
  },
  {
    key: 'force',
    schema: bool,
    default: false,
    help: 'Restore into a folder that already holds files (files there with other names stay).',
    commands: ['restore'],
    cli: { flag: 'force' },
  },
  {
    key: 'overwriteSource',
    schema: bool,
    default: false,
    help: 'Allow --to to be the production tree the backup was made from.',
    commands: ['restore'],
    cli: { flag: 'overwrite-source' },
  },
  {
    key: 'seconds',
    schema: { type: 'number', minimum: 1, maximum: 60 },
    default: 15,
    help: 'Length of the probe in seconds (1 to 60).',
    commands: ['diagnose'],
    cli: { flag: 'seconds', arg: 'N' },
  },
  {
    key: 'out',
    schema: text(),
    help: 'Write the merged report to this file instead of stdout.',
    commands: ['merge-reports'],
    cli: { flag: 'out', arg: 'FILE' },
    cliOnly: true,
  },
  {
    key: 'historyFile',
    schema: text(),
    default: 'dist/dailysync/history.jsonl',
    help: 'JSON Lines file that gets one line per run (relative to the workspace root).',
    commands: ['history'],
    examples: ['/var/log/dailysync/history.jsonl'],
  },
  {
    key: 'keep',
    schema: { type: 'integer', minimum: 1 },
    default: 30,
    help: 'How many runs the history file keeps; older lines are pruned.',
    commands: ['history'],
  },
];

/** What each command does: the first line of its --help and its executor's description. */
export const COMMAND_SUMMARIES: Record<CommandName, { usage: string; summary: string }> = {
  sync: { usage: 'dailysync sync --source DIR --dest DIR [options]', summary: 'Back up every project folder of a source tree with concurrent rsync tasks (no --source/--dest: the built-in demo tree).' },
  plan: { usage: 'dailysync plan --source DIR --dest DIR [options]', summary: 'Show what a sync would do: tasks, sizes, splits, order and estimated time; writes nothing.' },
  verify: { usage: 'dailysync verify --source DIR --dest DIR [options]', summary: 'Prove a backup holds everything its source holds (missing, different and extra files); exit 1 if not.' },
  diagnose: {
    usage: 'dailysync diagnose --source DIR --dest DIR [options]',
    summary: 'About 15 s probe (no backup): metadata ops/s, read and write speed, CPU headroom, network path; names the likely bottleneck.',
  },
  'merge-reports': { usage: 'dailysync merge-reports FILE... [--out FILE]', summary: 'Combine the JSON reports of --shard runs into one summary.' },
  snapshots: { usage: 'dailysync snapshots --dest DIR [--json]', summary: 'List the snapshots of a backup root: date, status (complete or partial), files, size, and the data each one added.' },
  restore: {
    usage: 'dailysync restore --dest DIR --to DIR [--at DATE|latest] [--project NAME ...] [options]',
    summary: 'Copy a snapshot (or the mirror) back with the concurrent backup engine: the whole tree or some projects, into an empty folder unless forced.',
  },
  history: { usage: 'nx run <project>:history', summary: 'Worked example of an executor on the engine API: back up, then append the run to a JSON Lines history file and prune old entries.' },
};

/** The options one command takes, in registry order. */
export function optionsOf(command: CommandName): OptionSpec[] {
  return OPTIONS.filter((o) => o.commands.includes(command));
}

/** The help line of an option for one command. */
export function helpOf(option: OptionSpec, command: CommandName): string {
  return option.helpFor?.[command] ?? option.help;
}

/**
 * Fills the registry defaults into options that are still unset. Call it once, after the config
 * file, target options and flags are merged: any value a user set wins, whatever it is.
 */
export function applyDefaults<T extends object>(command: CommandName, options: T): T {
  const filled = { ...options } as Record<string, unknown>;
  for (const option of optionsOf(command)) {
    if (filled[option.key] === undefined && option.default !== undefined) filled[option.key] = option.default;
  }
  return filled as T;
}
