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
 * The task's folder is created here when missing (rsync then gives it the source folder's
 * attributes, as it does to any existing destination folder). rsync creates its destination
 * folder after looking for it, and fails when another process made it in between ("mkdir failed:
 * File exists"): a split project's pass and the parts below it start at the same time, and the link
 * pass (hard links across tasks, of this run or of another shard) creates the folders above the
 * files it links, a project's own folder among them (seen in the differential soak, three shards).
 */
export async function prepareSubtreeDestination(task: SyncTask, options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation' | 'dryRun' | 'delete'>): Promise<void> {
  if (task.relPath === '' || options.destLocation.kind !== 'local' || options.dryRun) return;
  let current = options.dest;
  for (const [depth, part] of task.relPath.split('/').entries()) {
    current = path.join(current, part);
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await fs.mkdir(path.join(options.dest, task.relPath), { recursive: true });
      return;
    }
    // A file where a project folder now is: one rsync of the whole tree replaces it with the
    // folder, and so does this with --delete (the root pass's count includes it). Without
    // --delete it is left for rsync to refuse (the task fails). A link is always replaced: its
    // target lies outside the backup.
    if (depth === 0 && !stat.isSymbolicLink() && !stat.isDirectory() && !options.delete) return;
    if (!stat.isDirectory()) await fs.rm(current, { force: true });
  }
}
