import { ConfigError, SafetyError } from '../errors.js';
import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import { buildRsyncArgs } from '../rsync/args.js';
import { runRsync } from '../rsync/run.js';
import { runQueue } from '../engine/queue.js';

/** How many deletions one run may do: a count, or a percent of the entries in the backup. */
export type DeletionBudget = { kind: 'count'; count: number } | { kind: 'percent'; percent: number };

export function parseDeletionBudget(value: unknown): DeletionBudget | null {
  if (value === undefined || value === null || value === '') return null;
  const text = String(value).trim();
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const p = Number(percent[1]);
    if (p <= 100) return { kind: 'percent', percent: p };
  } else if (/^\d+$/.test(text)) {
    return { kind: 'count', count: Number(text) };
  }
  throw new ConfigError(`--max-delete "${text}" is not valid: give a number of files (e.g. --max-delete=500) or a percent of the backup (e.g. --max-delete=5%)`);
}

export function formatBudget(budget: DeletionBudget): string {
  return budget.kind === 'count' ? String(budget.count) : `${budget.percent}%`;
}

/** What a dry run says the real run would do. */
export interface DeletionForecast {
  /** Entries rsync would delete, summed over all tasks. */
  deletions: number;
  /** Entries in the source (rsync's "Number of files", summed over tasks). */
  sourceEntries: number;
  /** Entries now in the backup: source entries - entries to create + entries to delete. */
  backupEntries: number;
  perTask: Array<{ id: string; deletions: number }>;
  /** Tasks whose dry run failed; their counts are unknown, so the run must not go ahead. */
  failed: Array<{ id: string; error: string }>;
}

/**
 * Runs every task with --dry-run (same arguments as the real run, so the same deletions) and
 * sums what would be deleted. One pass before the real run is what makes the budget all or
 * nothing: rsync's own --max-delete deletes up to the limit and then stops half way.
 */
export async function forecastDeletions(
  tasks: readonly SyncTask[],
  options: ResolvedBackupOptions,
  concurrency: () => number,
  signal?: AbortSignal,
): Promise<DeletionForecast> {
  const dry: ResolvedBackupOptions = { ...options, dryRun: true, bwlimitKiB: 0 };
  const forecast: DeletionForecast = { deletions: 0, sourceEntries: 0, backupEntries: 0, perTask: [], failed: [] };
  await runQueue(
    tasks,
    concurrency,
    async (task) => {
      const result = await runRsync({ rsyncPath: options.rsyncPath, args: buildRsyncArgs(task, dry), signal });
      if (result.classification.status === 'failed' || result.stats === undefined) {
        forecast.failed.push({ id: task.id, error: result.classification.meaning });
        return;
      }
      const deletions = result.itemsDeleted;
      forecast.deletions += deletions;
      forecast.sourceEntries += result.stats.filesTotal;
      forecast.backupEntries += Math.max(0, result.stats.filesTotal - result.stats.filesCreated + deletions);
      forecast.perTask.push({ id: task.id, deletions });
    },
    { signal },
  );
  forecast.perTask.sort((a, b) => b.deletions - a.deletions);
  return forecast;
}

/** Refuses the whole run, before any deletion, when the forecast is over the budget. */
export function checkDeletionBudget(forecast: DeletionForecast, budget: DeletionBudget | null): void {
  if (forecast.failed.length > 0 && budget !== null) {
    const first = forecast.failed[0];
    throw new SafetyError(`could not count deletions for ${first?.id} (${first?.error}) so the --max-delete budget cannot be checked: fix that error first`);
  }
  if (budget === null) return;
  const limit = budget.kind === 'count' ? budget.count : Math.floor((budget.percent / 100) * forecast.backupEntries);
  if (forecast.deletions > limit) {
    const top = forecast.perTask.filter((t) => t.deletions > 0).slice(0, 3).map((t) => `${t.id}: ${t.deletions}`).join(', ');
    throw new SafetyError(
      `this run would delete ${forecast.deletions} of ${forecast.backupEntries} entries in the backup (${top}), over --max-delete ${formatBudget(budget)}${budget.kind === 'percent' ? ` (= ${limit})` : ''}: nothing was deleted; check the source, or raise --max-delete if the removal is intended`,
    );
  }
}
