import os from 'node:os';
import { ConfigError } from './errors.js';

/** What a caller may pass to a backup; every front end (CLI, Nx executor, API) maps onto this. */
export interface BackupOptions {
  /** Absolute path of the production tree; each direct subfolder is one project. */
  source: string;
  /** Absolute path of the backup root; projects are mirrored under it with the same names. */
  dest: string;
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
}

export interface ResolvedBackupOptions {
  source: string;
  dest: string;
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
}

/** Fixed concurrency used for 'auto' until measurements say otherwise: enough streams to hide latency. */
export function defaultConcurrency(cores = os.availableParallelism()): number {
  return Math.min(16, Math.max(4, cores * 2));
}

function requireAbsolute(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`--${name} is missing: give the absolute path of the ${name === 'source' ? 'tree to back up' : 'backup root'}, e.g. --${name}=/data/${name === 'source' ? 'prod' : 'prod_backup'}`);
  }
  if (value.startsWith('-')) {
    throw new ConfigError(`--${name} "${value}" starts with "-": give an absolute path such as /data/prod`);
  }
  if (!value.startsWith('/')) {
    throw new ConfigError(`--${name} "${value}" is a relative path: give an absolute path (e.g. "$PWD/${value}")`);
  }
  return value;
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
    // A comma-separated list is accepted for convenience on the command line and in Nx options.
    for (const part of item.split(',')) if (part !== '') out.push(part);
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
  return {
    source: stripTrailingSlashes(requireAbsolute('source', raw.source)),
    dest: stripTrailingSlashes(requireAbsolute('dest', raw.dest)),
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
  };
}

function stripTrailingSlashes(p: string): string {
  const stripped = p.replace(/\/+$/, '');
  return stripped === '' ? '/' : stripped;
}
