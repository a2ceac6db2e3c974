import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';

/**
 * Before a project or a part of a split project copies into `<dest>/<project>[/<sub>...]`, every
 * folder on that path must be a real folder. rsync follows a symlink in its destination argument,
 * so a link left in the backup (the project was a link at an earlier run) where the source now has
 * a folder would send the task's writes (and --delete) outside the backup. An rsync of the parent
 * would replace such an entry; this does the same.
 *
 * The folder of a split project's pass (and of each part) is created here when missing: that pass
 * and the parts below it start at the same time, and two rsyncs creating one folder at once make
 * the slower one fail ("File exists").
 */
export async function prepareSubtreeDestination(task: SyncTask, options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation' | 'dryRun'>): Promise<void> {
  if (task.relPath === '' || options.destLocation.kind !== 'local' || options.dryRun) return;
  let current = options.dest;
  for (const [depth, part] of task.relPath.split('/').entries()) {
    current = path.join(current, part);
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      // A whole, unsplit project is created by its own rsync (which also sets its attributes).
      if (task.kind !== 'project') await fs.mkdir(path.join(options.dest, task.relPath), { recursive: true });
      return;
    }
    // A file where a project folder belongs is left for rsync to refuse (the task fails): only a
    // link, whose target lies outside the backup, is removed at the project level.
    if (depth === 0 && !stat.isSymbolicLink() && !stat.isDirectory()) return;
    if (!stat.isDirectory()) await fs.rm(current, { force: true });
  }
}

/**
 * Entries of the source root that are files or links where the backup holds a real folder of the
 * same name: a project that became a file or a link. With --delete the root pass would delete the
 * whole folder to make way, while a project folder that is simply gone keeps its backup; the root
 * pass refuses instead. Checked for a local backup only.
 */
export async function backupFoldersReplacedByRootEntries(
  rootEntries: readonly string[],
  options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation' | 'delete'>,
): Promise<string[]> {
  if (!options.delete || options.destLocation.kind !== 'local') return [];
  const replaced: string[] = [];
  for (const name of rootEntries) {
    try {
      if ((await fs.lstat(path.join(options.dest, name))).isDirectory()) replaced.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return replaced;
}
