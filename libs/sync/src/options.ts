import os from 'node:os';
import { ConfigError } from './errors.js';
import { formatLocation, isRemote, parseLocation, type Location } from './location/location.js';
import { resolveSshSettings, sshOptionsGiven, type SshOptionsInput, type SshSettings } from './location/ssh.js';
import { CONNECT_TIMEOUT_SECONDS } from './location/transport.js';
import { parseShard, type ShardSpec } from './plan/shard.js';
import { resolveSafetyOptions, type SafetyOptions, type SafetyOptionsInput } from './safety/safety-options.js';
import { CHANGED_CHECK_MODES, type ChangedCheckMode } from './safety/changed-during-copy.js';

/** What a caller may pass to a backup; every front end (CLI, Nx executor, API) maps onto this. */
export interface BackupOptions extends SshOptionsInput, SafetyOptionsInput {
  /** Production tree: absolute path, `[user@]host:/path` (ssh) or `rsync://host[:port]/module/path`; each direct subfolder is one project. */
  source: string;
  /** Backup root, in the same forms as `source`; projects are mirrored under it with the same names. */
  dest: string;
  /** rsync --timeout in seconds (no data for that long fails the attempt); default 300 with a remote side, else none (0). */
  timeoutSeconds?: number;
  /** Run only this machine's share of the tasks: `I/N` (I from 1) or { index, count }. */
  shard?: string | ShardSpec;
  /** Number of rsync processes at once, or 'auto' (default) to adapt to what the machine sustains. */
  concurrency?: number | 'auto';
  /** Delete files in the backup that no longer exist in the source. Off by default. */
  delete?: boolean;
  /** Show what would change; write nothing. */
  dryRun?: boolean;
  /** Project names or `*` patterns to back up; empty means all. */
  include?: string[];
  /** Project names or `*` patterns to leave out. */
  exclude?: string[];
  /** Bandwidth limit per rsync process, KiB/s (rsync --bwlimit); 0 or undefined means none. */
  bwlimitKiB?: number;
  /** Preserve hard links (-H), ACLs (-A) and extended attributes (-X). All default to true. */
  hardLinks?: boolean;
  acls?: boolean;
  xattrs?: boolean;
  /** rsync executable to run; default `rsync` from PATH. */
  rsyncPath?: string;
  /**
   * When copied files are looked at again, and copied again if the source was written while rsync
   * read it (see checksCopies): 'auto' (default) when the source is on this machine's disks,
   * 'always' (on a NAS mount too: two lookups per copied file), 'off'.
   */
  changedCheck?: ChangedCheckMode | string;
  /**
   * Earlier copies to hard-link unchanged files against (rsync --link-dest), as paths relative to
   * `dest` (e.g. `../2026-12-01T013000Z`); each task links against the same subtree of each. Snapshot mode sets it.
   */
  linkDestBases?: string[];
  /** Folder whose `.dailysync` holds the run state and lock when it is not `dest` (snapshot mode: the backup root, not the snapshot). */
  stateRoot?: string;
}

export interface ResolvedBackupOptions {
  /** The source and destination as written by the user (normalized), for reports and messages. */
  source: string;
  dest: string;
  sourceLocation: Location;
  destLocation: Location;
  /** Set when a side is reached through ssh. */
  ssh?: SshSettings;
  timeoutSeconds: number;
  shard?: ShardSpec;
  concurrency: number | 'auto';
  delete: boolean;
  dryRun: boolean;
  include: string[];
  exclude: string[];
  bwlimitKiB: number;
  hardLinks: boolean;
  acls: boolean;
  xattrs: boolean;
  rsyncPath: string;
  changedCheck: ChangedCheckMode;
  /** See BackupOptions.linkDestBases; empty in mirror mode. */
  linkDestBases?: string[];
  /** See BackupOptions.stateRoot; undefined means `dest`. */
  stateRoot?: string;
  /** Guards against losing the backup (--max-delete, --max-shrink, markers, --dest-fs); defaults when absent. */
  safety?: SafetyOptions;
}

/** rsync --timeout used when a side is remote and none is given: a hung connection fails (and is retried). */
export const DEFAULT_REMOTE_TIMEOUT_SECONDS = 300;

/** Fixed concurrency used for 'auto' until measurements say otherwise: enough streams to hide latency. */
export function defaultConcurrency(cores = os.availableParallelism()): number {
  return Math.min(16, Math.max(4, cores * 2));
}

/** Accepts a whole number (as number or string) or "auto"; anything else is a ConfigError. */
export function parseConcurrency(value: unknown): number | 'auto' {
  if (value === undefined || value === null || value === 'auto') return 'auto';
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`--concurrency "${String(value)}" is not valid: use a whole number of at least 1, or "auto"`);
  }
  if (n > 256) {
    throw new ConfigError(`--concurrency ${n} is too high: use at most 256 rsync processes at once`);
  }
  return n;
}

function parseNameList(name: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  for (const item of items) {
    if (typeof item !== 'string') {
      throw new ConfigError(`--${name} must be project names or patterns (strings), got ${JSON.stringify(item)}`);
    }
    // A comma is part of a folder name ("Smith, John"): several names are given by repeating the
    // flag or as an array, never split out of one string.
    if (item !== '') out.push(item);
  }
  for (const pattern of out) {
    if (pattern.includes('/')) {
      throw new ConfigError(`--${name} "${pattern}" contains "/": give a project (top-level folder) name or pattern such as "alpha" or "cam*"`);
    }
  }
  return out;
}

/** Validates raw options (from the CLI, Nx or the API) and fills defaults. Throws ConfigError. */
export function resolveBackupOptions(raw: BackupOptions): ResolvedBackupOptions {
  const bw = raw.bwlimitKiB ?? 0;
  if (!Number.isFinite(bw) || bw < 0) {
    throw new ConfigError(`--bwlimit "${String(raw.bwlimitKiB)}" is not valid: give KiB per second as a whole number, or 0 for no limit`);
  }
  const sourceLocation = parseLocation('source', raw.source);
  const destLocation = parseLocation('dest', raw.dest);
  if (isRemote(sourceLocation) && isRemote(destLocation)) {
    throw new ConfigError(`--source and --dest are both remote: rsync needs one side on this machine; run dailysync on the source or the backup host instead`);
  }
  const usesSsh = sourceLocation.kind === 'ssh' || destLocation.kind === 'ssh';
  if (!usesSsh && sshOptionsGiven(raw)) {
    throw new ConfigError('--ssh-* options were given but neither --source nor --dest is an ssh location (user@host:/path): remove them or fix the location');
  }
  const remote = isRemote(sourceLocation) || isRemote(destLocation);
  const timeout = raw.timeoutSeconds ?? (remote ? DEFAULT_REMOTE_TIMEOUT_SECONDS : 0);
  if (!Number.isInteger(timeout) || timeout < 0 || timeout > 86400) {
    throw new ConfigError(`--timeout "${String(raw.timeoutSeconds)}" is not valid: give seconds as a whole number from 0 (none) to 86400`);
  }
  const shard = parseShard(raw.shard);
  const ssh = usesSsh ? resolveSshSettings(raw, CONNECT_TIMEOUT_SECONDS) : undefined;
  return {
    source: formatLocation(sourceLocation),
    dest: formatLocation(destLocation),
    sourceLocation,
    destLocation,
    ...(ssh === undefined ? {} : { ssh }),
    timeoutSeconds: timeout,
    ...(shard === undefined ? {} : { shard }),
    concurrency: parseConcurrency(raw.concurrency),
    delete: raw.delete ?? false,
    dryRun: raw.dryRun ?? false,
    include: parseNameList('include', raw.include),
    exclude: parseNameList('exclude', raw.exclude),
    bwlimitKiB: Math.floor(bw),
    hardLinks: raw.hardLinks ?? true,
    acls: raw.acls ?? true,
    xattrs: raw.xattrs ?? true,
    rsyncPath: raw.rsyncPath ?? 'rsync',
    changedCheck: parseChangedCheck(raw.changedCheck),
    safety: resolveSafetyOptions(raw),
    ...(raw.linkDestBases === undefined || raw.linkDestBases.length === 0 ? {} : { linkDestBases: raw.linkDestBases }),
    ...(raw.stateRoot === undefined ? {} : { stateRoot: raw.stateRoot }),
  };
}

/** Accepts auto, always or off (default auto); anything else is a ConfigError. */
export function parseChangedCheck(value: unknown): ChangedCheckMode {
  if (value === undefined || value === null) return 'auto';
  if (typeof value === 'string' && (CHANGED_CHECK_MODES as readonly string[]).includes(value)) return value as ChangedCheckMode;
  throw new ConfigError(`--changed-check "${String(value)}" is not valid: give auto (check copies when the source is on this machine's disks), always or off`);
}

/** Where a run keeps its state and lock: `stateRoot` when set (snapshot mode), else the backup root. */
export function stateRootOf(options: Pick<ResolvedBackupOptions, 'dest' | 'stateRoot'>): string {
  return options.stateRoot ?? options.dest;
}
