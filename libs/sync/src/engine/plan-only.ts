import { discoverProjects, discoveryFromEntries, type Discovery } from '../discovery/discover.js';
import { listRemoteDirectory } from '../location/list-remote.js';
import { resolveBackupOptions, type BackupOptions, type ResolvedBackupOptions } from '../options.js';
import type { BackupPlan } from '../plan/plan-backup.js';
import { shardTasks } from '../plan/shard.js';
import { checkPathsDoNotOverlap, checkSourceDirectory, checkDestDirectory } from '../preflight.js';
import { DEFAULT_RETRY_POLICY } from './run-task.js';
import { planRun, type PlanningOptions } from './plan-run.js';

export interface PlanOnlyRequest extends BackupOptions {
  planning?: PlanningOptions;
  signal?: AbortSignal;
}

export interface PlanOnlyResult {
  options: ResolvedBackupOptions;
  discovery: Discovery;
  plan: BackupPlan;
  /** With --shard: the task ids this machine would run. */
  shardTaskIds?: string[];
}

/**
 * What a backup would do, decided exactly as runBackup decides it (history, estimate, splits, order),
 * without starting rsync or writing anything: no destination folder, no state, no lock.
 */
export async function planOnly(request: PlanOnlyRequest): Promise<PlanOnlyResult> {
  const options = resolveBackupOptions(request);
  let destExists = false;
  if (options.sourceLocation.kind === 'local') await checkSourceDirectory(options.source);
  if (options.sourceLocation.kind === 'local' && options.destLocation.kind === 'local') await checkPathsDoNotOverlap(options.source, options.dest);
  if (options.destLocation.kind === 'local') destExists = (await checkDestDirectory(options.dest)).exists;
  const discovery =
    options.sourceLocation.kind === 'local'
      ? await discoverProjects(options.source, options.include, options.exclude)
      : discoveryFromEntries(
          (await listRemoteDirectory(options.sourceLocation, options, DEFAULT_RETRY_POLICY, request.signal)).map((e) => ({ name: e.name, isDirectory: () => e.isDirectory })),
          options.include,
          options.exclude,
        );
  const plan = await planRun(options, discovery, destExists, request.planning);
  const shardTaskIds = options.shard === undefined ? undefined : shardTasks(plan.tasks, options.shard).tasks.map((t) => t.id);
  return { options, discovery, plan, ...(shardTaskIds === undefined ? {} : { shardTaskIds }) };
}
