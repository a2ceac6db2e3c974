import type { Discovery } from '../discovery/discover.js';
import { defaultConcurrency, type ResolvedBackupOptions } from '../options.js';
import { readTaskHistory, recordTaskHistory, THROUGHPUT_SECTION, type TaskRecord } from '../plan/history.js';
import { planBackup, type BackupPlan, type PlanSettings } from '../plan/plan-backup.js';
import { ROOT_PROJECT, type SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';
import { readRunState, updateRunStateSection } from '../state/run-state.js';

/** Planning knobs a caller may set; the defaults suit a nightly NAS backup. */
export type PlanningOptions = Partial<Omit<PlanSettings, 'concurrency'>>;

/** Tasks expected to run at once: the fixed number, or where 'auto' starts. */
export function planningConcurrency(options: Pick<ResolvedBackupOptions, 'concurrency'>): number {
  return options.concurrency === 'auto' ? defaultConcurrency() : options.concurrency;
}

/** History of earlier runs, read from a local backup root (a remote one, or a missing one, has none to offer). */
export async function readHistory(options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation'>, destExists: boolean): Promise<Map<string, TaskRecord>> {
  if (options.destLocation.kind !== 'local' || !destExists) return new Map();
  try {
    return readTaskHistory(await readRunState(options.dest));
  } catch {
    // History only orders the work; an unreadable state file must not stop the backup.
    return new Map();
  }
}

/**
 * Plans a run: weights from history (or a budgeted walk of a local source), oversized projects split.
 * Shards must all plan the same list, so for them the walk has no time limit (a count limit is
 * deterministic) and history, which the first shard to finish may already have changed, is not used.
 */
export async function planRun(
  options: ResolvedBackupOptions,
  discovery: Discovery,
  destExists: boolean,
  planning: PlanningOptions = {},
): Promise<BackupPlan> {
  const sharded = options.shard !== undefined;
  return planBackup({
    sourceRoot: options.sourceLocation.kind === 'local' ? options.source : undefined,
    discovery,
    history: sharded ? new Map() : await readHistory(options, destExists),
    settings: { ...(sharded ? { estimateMs: Number.POSITIVE_INFINITY } : {}), ...planning, concurrency: planningConcurrency(options) },
  });
}

/** Saves what each finished task measured, for the next run's plan. Never throws: history is a hint. */
export async function saveHistory(
  options: ResolvedBackupOptions,
  discovery: Discovery,
  tasks: readonly SyncTask[],
  results: ReadonlyMap<string, TaskResult>,
): Promise<void> {
  if (options.dryRun || options.destLocation.kind !== 'local') return;
  const existing = new Set([ROOT_PROJECT, ...discovery.projects.map((p) => p.name)]);
  try {
    const state = await readRunState(options.dest);
    await updateRunStateSection(options.dest, THROUGHPUT_SECTION, recordTaskHistory(state, tasks, results, existing));
  } catch {
    // A read-only or full backup disk already shows in the task results.
  }
}
