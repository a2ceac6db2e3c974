import path from 'node:path';
import { locationOperand } from '../location/location.js';
import { transportArgs } from '../location/transport.js';
import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';

/**
 * The machine-readable line rsync prints per changed item: itemize string, name, symlink target.
 * Parsed by parseItemizeLine.
 */
/** rsync's time comparison to the nanosecond (receiver >= 3.1.3). */
export const MODIFY_WINDOW_NS = '--modify-window=-1';

export const OUT_FORMAT = '%i %n%L';

/**
 * The same line with the item's size (`%l`) before the name, for batch tasks: their totals are
 * split by project from these lines (see engine/batch-attribution.ts).
 */
export const BATCH_OUT_FORMAT = '%i %l %n%L';

/**
 * Escapes a file name for an rsync filter rule. rsync treats a backslash as an escape only when
 * the pattern holds a wildcard, so names without wildcards pass through unchanged.
 */
export function escapeFilterName(name: string): string {
  return /[*?[]/.test(name) ? name.replace(/[*?[\\]/g, '\\$&') : name;
}

/**
 * Source and destination operands with a trailing slash ("copy the contents"): absolute local
 * paths, `host:/abs/path/` or `rsync://host/module/path/`, so no name can be read as an option.
 */
export function taskPaths(task: SyncTask, options: Pick<ResolvedBackupOptions, 'sourceLocation' | 'destLocation'>): { from: string; to: string } {
  return { from: locationOperand(options.sourceLocation, task.relPath, true), to: locationOperand(options.destLocation, task.relPath) };
}

/**
 * rsync resolves a relative --link-dest against the task's own destination folder, so a base given
 * relative to the backup root points at the same subtree of the earlier copy: absolute for a local
 * backup, and climbing back up the task's depth for a remote one (ssh or daemon, where only
 * relative paths inside the module work).
 */
export function linkDestFor(task: SyncTask, base: string, options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation'>): string {
  if (options.destLocation.kind === 'local') return path.join(path.resolve(options.dest, base), task.relPath);
  const depth = task.relPath === '' ? 0 : task.relPath.split('/').length;
  return path.posix.join('../'.repeat(depth) || '.', base, task.relPath);
}

/**
 * The --temp-dir operand. rsync 3.5.0 opens its temp folder one path component at a time,
 * without following links, from `/` (or from its destination folder, for a relative path) about
 * four times for each file it writes. One rsync of 2,000 one-file projects on tmpfs (median of 6):
 * 0.40 s without --temp-dir, 0.57 s with a 4-component path relative to the destination, 0.88 s
 * with the same folder given absolute, 9 components deep. So a task whose destination is the
 * backup root itself (a batch, the root and link passes) gets the path relative to it. rsync
 * refuses `..` there, so a project's own task keeps the absolute path.
 */
export function tempDirOperand(tempDir: string, task: Pick<SyncTask, 'relPath'>, options: Pick<ResolvedBackupOptions, 'destLocation'>): string {
  if (task.relPath !== '' || options.destLocation.kind !== 'local') return tempDir;
  const inside = path.relative(locationOperand(options.destLocation, ''), tempDir);
  return inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside) ? inside : tempDir;
}

/**
 * The argv for one task. Never --inplace or --partial: rsync writes a temporary file and renames it,
 * so an interrupted or failed copy leaves the previous backup copy intact. Paths come after `--`
 * and are absolute, so no file name can be read as an option.
 */
export function buildRsyncArgs(task: SyncTask, options: ResolvedBackupOptions, limits: { maxDeletions?: number; tempDir?: string } = {}): string[] {
  // --modify-window=-1: compare times to the nanosecond. With the default (whole seconds) rsync
  // leaves a folder's time unset when its old and new times fall in the same second, and skips a
  // same-size file rewritten within that second (rsync 3.5.0; test: mirror-parity.spec.ts).
  const args = ['--archive', '--numeric-ids', MODIFY_WINDOW_NS, ...transportArgs(options)];
  if (options.hardLinks) args.push('--hard-links');
  if (options.acls) args.push('--acls');
  if (options.xattrs) args.push('--xattrs');
  // A batch also lists unchanged items (name2), so each project's entries and sizes can be counted.
  if (task.kind === 'batch') args.push('--info=progress2,name2', '--stats', `--out-format=${BATCH_OUT_FORMAT}`);
  else args.push('--info=progress2', '--stats', `--out-format=${OUT_FORMAT}`);
  // Deletions run after the transfer, and rsync skips them entirely after an I/O error.
  const deletes = options.delete && task.kind !== 'links';
  if (deletes) args.push('--delete-delay');
  // 0 means "delete nothing" to rsync >= 3.0; the cap comes from the count checked before the run.
  if (deletes && limits.maxDeletions !== undefined) args.push(`--max-delete=${limits.maxDeletions}`);
  if (limits.tempDir !== undefined && !options.dryRun) args.push(`--temp-dir=${tempDirOperand(limits.tempDir, task, options)}`);
  if (options.dryRun) args.push('--dry-run');
  if (options.bwlimitKiB > 0) args.push(`--bwlimit=${options.bwlimitKiB}`);
  const namedProjects = batchOperands(task, options);
  if (namedProjects) {
    args.push('--relative', '--ignore-missing-args');
  } else if (task.kind === 'batch') {
    // Only the named projects: every other top-level entry is excluded, so also kept from --delete.
    // On the command line, not in a file: this rsync reads only the first rule of a --from0 rules file.
    for (const name of task.projects ?? []) args.push(`--include=/${escapeFilterName(name)}/`);
    args.push('--exclude=/*');
  } else if (task.kind === 'links') {
    // Only the listed paths, no recursion and no deletions; --force lets a listed file replace a
    // folder that a type change left in the backup, as the whole-tree rsync would.
    args.push('--force');
  } else if (task.excludeTopLevelDirs === 'all' && task.filterFile === undefined) {
    args.push('--exclude=/*/');
  } else if (task.excludeTopLevelDirs !== 'all') {
    for (const dir of task.excludeTopLevelDirs) args.push(`--exclude=/${escapeFilterName(dir)}/`);
  }
  // A part of a split project may start before (or on another machine than) the part that creates
  // its parent folders; the backup root itself always exists by now, so --mkpath cannot hide a missing mount.
  if (task.relPath.includes('/')) args.push('--mkpath');
  // The backup root's marker file is not in the source: keep the root pass's --delete off it.
  if (task.kind === 'root' && options.safety?.destMarker) args.push(`--filter=P /${escapeFilterName(options.safety.destMarker)}`);
  // Rules and lists written as bytes, NUL-separated: names that are not valid UTF-8 (or hold a newline) stay exact.
  if (task.filterFile !== undefined || task.filesFrom !== undefined) args.push('--from0');
  if (task.filterFile !== undefined) args.push(`--filter=merge ${task.filterFile}`);
  if (task.filesFrom !== undefined) args.push(`--files-from=${task.filesFrom}`);
  for (const base of options.linkDestBases ?? []) args.push(`--link-dest=${linkDestFor(task, base, options)}`);
  const { from, to } = taskPaths(task, options);
  args.push('--', ...(namedProjects ?? [from]), to);
  return args;
}

/**
 * A batch from a local source names its projects as operands, `SRC/./name` with --relative: rsync
 * looks at them only, and --delete works inside each of them and nowhere else. With include rules
 * over the source root instead, each batch's rsync looked at every top-level entry on both sides
 * (a NAS with 300 projects at 1 ms per operation, no cache, one rsync of 19 one-file projects:
 * 1.3 s -> 0.6 s when nothing changed, 2.2 s -> 1.6 s into an empty backup).
 * --ignore-missing-args: a project removed since discovery is skipped, as an include rule skips
 * it; the root pass deletes its copy. A remote source keeps the rules. Undefined: not such a batch.
 */
export function batchOperands(task: Pick<SyncTask, 'kind' | 'projects'>, options: Pick<ResolvedBackupOptions, 'sourceLocation'>): string[] | undefined {
  if (task.kind !== 'batch' || options.sourceLocation.kind !== 'local') return undefined;
  // --relative cuts each operand at its first `/./`: none may come before the one added here.
  const root = options.sourceLocation.path.replace(/\/\.(?=\/|$)/g, '').replace(/\/+$/, '');
  return (task.projects ?? []).map((name) => `${root}/./${name}`);
}

/**
 * The child's environment: only what rsync needs. Variables such as RSYNC_RSH, RSYNC_OLD_ARGS or
 * RSYNC_PROTECT_ARGS would otherwise change how rsync runs behind the user's back.
 */
export function rsyncEnvironment(parent: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = { LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'SSH_AUTH_SOCK']) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
