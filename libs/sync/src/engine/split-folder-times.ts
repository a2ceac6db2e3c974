import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';
import { buildRsyncArgs } from '../rsync/args.js';
import { runRsync } from '../rsync/run.js';
import { runQueue } from './queue.js';
import { foldersThatDiffer, type FolderRoots } from './folder-attributes.js';

/** The folders split into parts (each one's own pass excludes the parts below it), grouped by depth, deepest first. */
function splitFoldersByDepth(tasks: readonly SyncTask[]): SyncTask[][] {
  const byDepth = new Map<number, SyncTask[]>();
  for (const t of tasks) {
    if (t.excludeTopLevelDirs === 'all' || t.excludeTopLevelDirs.length === 0) continue;
    const depth = t.relPath.split('/').length;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), t]);
  }
  return [...byDepth.entries()].sort((a, b) => b[0] - a[0]).map(([, level]) => level);
}

/** Folders of one depth are independent of each other: several short rsyncs at once. */
const CONCURRENT_FOLDERS = 8;

/**
 * Sets the times and modes of split folders once all their parts are done. A part that creates its
 * folder in the backup changes the time of the folder above it, which the folder's own pass may
 * already have set; an rsync of the folder alone (every entry excluded) sets it again. Deepest
 * first, so a fixed folder is not changed again by one below it. Parts run at full concurrency
 * instead of waiting on each other; this costs one short rsync per split folder at the end.
 * Marks the folder's own task failed when its times cannot be set.
 */
export async function restoreSplitFolderTimes(
  tasks: readonly SyncTask[],
  options: ResolvedBackupOptions,
  results: Map<string, TaskResult>,
  signal?: AbortSignal,
  /**
   * The planned root pass (whichever shard runs it): project folders created in the backup root
   * after it ran change the root's time, so every run (every shard) sets it again last.
   */
  rootPass?: SyncTask,
  /** Both roots reachable as local paths: a folder whose time, mode and owner already match gets no rsync. */
  compareFirst?: FolderRoots,
): Promise<void> {
  if (options.dryRun) return;
  const levels = splitFoldersByDepth(tasks);
  if (rootPass) levels.push([{ ...rootPass, filterFile: undefined }]);
  for (const level of levels) {
    await runQueue(
      level,
      () => CONCURRENT_FOLDERS,
      async (task) => {
        const own = results.get(task.id);
        if (task.kind === 'root' ? own !== undefined && own.status !== 'ok' && own.status !== 'warning' : own === undefined || own.status === 'failed' || own.status === 'interrupted') return;
        if (compareFirst && (await foldersThatDiffer([Buffer.from(task.relPath)], compareFirst)).length === 0) return;
        const args = buildRsyncArgs({ ...task, excludeTopLevelDirs: [] }, { ...options, delete: false, bwlimitKiB: 0 });
        args.splice(args.indexOf('--'), 0, '--exclude=*');
        const run = await runRsync({ rsyncPath: options.rsyncPath, args, signal });
        if (run.classification.status === 'failed' && own !== undefined) {
          const error = `the folder's times could not be set after its parts: ${run.classification.meaning}`;
          results.set(task.id, { ...own, status: 'failed', exitCode: run.exitCode ?? null, meaning: error, error });
        }
      },
      { signal },
    );
  }
}
