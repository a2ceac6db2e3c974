import fs from 'node:fs/promises';
import path from 'node:path';
import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';

/**
 * Before a part of a split project copies into `<dest>/<project>/<sub>/...`, every folder on that
 * path must be a real folder. rsync follows a symlink in its destination argument, so a link left
 * in the backup where the source now has a folder would send the part's writes (and --delete)
 * outside the backup. A whole-project rsync would replace such an entry; this does the same.
 */
export async function prepareSubtreeDestination(task: SyncTask, options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation' | 'dryRun'>): Promise<void> {
  if (!task.relPath.includes('/') || options.destLocation.kind !== 'local' || options.dryRun) return;
  let current = options.dest;
  for (const part of task.relPath.split('/')) {
    current = path.join(current, part);
    let stat;
    try {
      stat = await fs.lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // rsync --mkpath creates the rest
      throw error;
    }
    if (!stat.isDirectory()) await fs.rm(current, { force: true });
  }
}
