import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';
import { buildRsyncArgs } from '../rsync/args.js';
import { runRsync } from '../rsync/run.js';
import { runQueue } from './queue.js';
import { copyMade, folderDifference, setFolderTime, type FolderRoots } from './folder-attributes.js';

/** A folder split into parts: its own pass excludes the parts below it. */
function isSplitFolder(t: SyncTask): boolean {
  return t.excludeTopLevelDirs !== 'all' && t.excludeTopLevelDirs.length > 0;
}

/**
 * The split folders whose times this run sets again: its own, and those above a part it ran. With
 * --shard, a folder's parts may run on other machines; each shard that creates something in a split
 * folder sets the folder's time again at its end, so the last shard to finish leaves it right (as
 * every shard does with the backup root).
 */
function splitFoldersToSet(tasks: readonly SyncTask[], planned: readonly SyncTask[], ours: ReadonlySet<string>): SyncTask[] {
  return planned.filter((folder) => isSplitFolder(folder) && (ours.has(folder.id) || tasks.some((t) => liesBelow(t, folder))));
}

function liesBelow(task: SyncTask, folder: SyncTask): boolean {
  return task.relPath.startsWith(`${folder.relPath}/`);
}

function succeeded(result: TaskResult | undefined): boolean {
  return result !== undefined && (result.status === 'ok' || result.status === 'warning');
}

/** Folders grouped by depth, deepest first. */
function byDepthDeepestFirst(folders: readonly SyncTask[]): SyncTask[][] {
  const byDepth = new Map<number, SyncTask[]>();
  for (const t of folders) {
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
 * Marks the folder's own task failed when its times cannot be set; for another shard's folder, the
 * first part of this run below it.
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
  /** Every planned task, of every shard (default `tasks`): split folders above this shard's parts are found there. */
  planned: readonly SyncTask[] = tasks,
): Promise<void> {
  if (options.dryRun) return;
  const ours = new Set(tasks.map((t) => t.id));
  const levels = byDepthDeepestFirst(splitFoldersToSet(tasks, planned, ours));
  if (rootPass) levels.push([{ ...rootPass, filterFile: undefined }]);
  for (const level of levels) {
    await runQueue(
      level,
      () => CONCURRENT_FOLDERS,
      async (task) => {
        const own = results.get(task.id);
        // Another shard's folder has no result here: it is set when a part of this run below it
        // ran (a part that failed or never started leaves the run failed anyway, and the next run
        // sets the time). The root has none in the shards that do not run it. A folder of this
        // run's own is set only after its own pass succeeded.
        const elsewhere = task.kind !== 'root' && !ours.has(task.id);
        const partsRun = elsewhere ? tasks.filter((t) => liesBelow(t, task) && succeeded(results.get(t.id))) : [];
        let due: boolean;
        if (task.kind === 'root') due = own === undefined || succeeded(own);
        else if (elsewhere) due = partsRun.length > 0;
        else due = copyMade(own);
        if (!due) return;
        if (compareFirst) {
          const difference = await folderDifference(task.relPath, compareFirst);
          if (difference.kind === 'same') return;
          // Entries created below it changed its time alone: set that, without an rsync. Only where
          // this run's own pass of the folder ended ok: it has just set the ACLs and xattrs, which
          // are not compared here and which another shard's pass may not have set yet.
          const ownPassOk = own !== undefined && own.status === 'ok';
          if (ownPassOk && difference.kind === 'time only' && (await setFolderTime(`${compareFirst.dest}/${task.relPath}`, difference.mtimeNs))) return;
        }
        const args = buildRsyncArgs({ ...task, excludeTopLevelDirs: [] }, { ...options, delete: false, bwlimitKiB: 0 });
        args.splice(args.indexOf('--'), 0, '--exclude=*');
        const run = await runRsync({ rsyncPath: options.rsyncPath, args, signal });
        if (run.classification.status !== 'failed') return;
        // The folder's own task is marked, or, for another shard's folder, the first part of this run below it.
        const marked = own ?? results.get(partsRun[0]?.id ?? '');
        if (marked === undefined) return;
        const error = `the times of ${task.relPath === '' ? 'the backup root' : `folder ${task.relPath}`} could not be set after its parts: ${run.classification.meaning}`;
        results.set(marked.id, { ...marked, status: 'failed', exitCode: run.exitCode ?? null, meaning: error, error });
      },
      { signal },
    );
  }
}
