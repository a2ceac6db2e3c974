import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';
import { buildRsyncArgs } from '../rsync/args.js';
import { runRsync } from '../rsync/run.js';

/**
 * Sets the backup root's own times and modes again after a run with batch tasks. A batch creates
 * project folders in the backup root, which changes the root's time, and it may finish after the
 * root pass set that time (seen on the benchmark: the root folder's time was the only difference).
 * One rsync of the root alone (every entry excluded), only when the root pass itself succeeded.
 */
export async function restoreRootTimeAfterBatches(
  tasks: readonly SyncTask[],
  options: ResolvedBackupOptions,
  results: ReadonlyMap<string, TaskResult>,
  signal?: AbortSignal,
): Promise<void> {
  const root = tasks.find((t) => t.kind === 'root');
  if (options.dryRun || root === undefined || !tasks.some((t) => t.kind === 'batch')) return;
  const own = results.get(root.id);
  if (own === undefined || (own.status !== 'ok' && own.status !== 'warning')) return;
  const args = buildRsyncArgs(root, { ...options, delete: false, bwlimitKiB: 0 });
  args.splice(args.indexOf('--'), 0, '--exclude=*');
  // Only the root folder's attributes: a failure here leaves data intact and shows again next run.
  await runRsync({ rsyncPath: options.rsyncPath, args, signal });
}
