import { ConfigError, formatBytes, type SnapshotEntry } from '@dailysync/sync';
import { reportCommandError } from '../command-error.js';
import { openBackupRoot, type SshCommandOptions } from './backup-root.js';

/** Options of `dailysync snapshots` and of the Nx `snapshots` executor. */
export interface SnapshotsCommandOptions extends SshCommandOptions {
  /** Backup root: a local path, user@host:/path (ssh) or rsync://host/module/path (daemon). */
  dest?: string;
  /** Print the list as JSON instead of a table. */
  json?: boolean;
}

export interface SnapshotsCommandContext {
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** One row of the list: a restore point (complete) or the tree of a failed run (partial). */
export interface SnapshotListing {
  name: string;
  date: string;
  status: 'complete' | 'partial';
  latest: boolean;
  path: string;
  files: number | null;
  bytes: number | null;
  /** Data this snapshot added: files rsync copied instead of hard-linking to the one before. */
  newFiles: number | null;
  newBytes: number | null;
}

function listing(entry: SnapshotEntry, latest: string | undefined): SnapshotListing {
  const m = entry.manifest;
  return {
    name: entry.name,
    date: entry.time.toISOString(),
    status: entry.state === 'complete' ? 'complete' : 'partial',
    latest: entry.state === 'complete' && entry.folder === latest,
    path: entry.dir,
    files: m.files,
    bytes: m.bytes,
    newFiles: m.newFiles,
    newBytes: m.newBytes,
  };
}

function formatTable(rows: SnapshotListing[]): string {
  const cells = [['snapshot', 'status', 'files', 'size', 'new data'], ...rows.map((r) => [
    `${r.name}${r.latest ? ' (latest)' : ''}`,
    r.status === 'partial' ? 'partial (not a restore point)' : r.status,
    r.files === null ? '-' : String(r.files),
    r.bytes === null ? '-' : formatBytes(r.bytes),
    r.newBytes === null ? '-' : `${formatBytes(r.newBytes)} in ${r.newFiles} files`,
  ])];
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  return cells.map((c) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')).join('\n');
}

/** Lists the snapshots of a backup root, oldest first. Exit 0, or 2 for bad usage. Never throws. */
export async function runSnapshotsCommand(options: SnapshotsCommandOptions, ctx: SnapshotsCommandContext = {}): Promise<{ exitCode: number; snapshots?: SnapshotListing[] }> {
  const out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  try {
    if (options.dest === undefined || options.dest.trim() === '') throw new ConfigError('--dest is missing: give the backup root, e.g. dailysync snapshots --dest=/data/prod_backup');
    const root = openBackupRoot(options.dest, options, ctx.cwd ?? process.cwd());
    if (!(await root.exists())) throw new ConfigError(`--dest ${root.dest} is not an existing folder: give the backup root (check that it is mounted)`);
    const { entries, latest } = await root.read();
    const rows = entries.filter((e) => e.state !== 'pruning').map((e) => listing(e, latest));
    if (options.json) out.write(`${JSON.stringify(rows, null, 2)}\n`);
    else if (rows.length === 0) out.write(`No snapshots in ${root.dest} (a mirror-mode backup, or none made yet: run "dailysync sync --snapshots").\n`);
    else out.write(`${formatTable(rows)}\n`);
    return { exitCode: 0, snapshots: rows };
  } catch (error) {
    return { exitCode: reportCommandError(error, err) };
  }
}
