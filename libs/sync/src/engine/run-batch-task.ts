import { projectTasksOfBatch } from '../plan/batch.js';
import { DEFAULT_RATE } from '../plan/plan-backup.js';
import type { SyncTask } from '../plan/task.js';
import type { AttemptRecord, TaskResult } from '../report/types.js';
import { BatchAttribution, type ProjectCounts } from './batch-attribution.js';
import { runPlannedTask } from './run-planned-task.js';

type PlannedTaskContext = Parameters<typeof runPlannedTask>[1];

export interface BatchOutcome {
  /** The batch rsync's own result (what a front end shows for the batch's row). */
  batch: TaskResult;
  /** One result per project of the batch, in the batch's order, as if each had run on its own. */
  projects: TaskResult[];
}

/** Bytes that cost as much as one file at the default rate: shares a batch's time among its projects. */
const BYTES_PER_FILE = DEFAULT_RATE.bytesPerSecond / DEFAULT_RATE.filesPerSecond;

function projectResult(batch: TaskResult, project: string, counts: ProjectCounts, durationMs: number): TaskResult {
  const { changedDuringCopy: _changed, alsoSeen: _seen, ...shared } = batch;
  return { ...shared, id: project, project, kind: 'project', ...counts, durationMs };
}

/**
 * Exit codes of a failed connection (ssh 255, daemon protocol 5, socket 10, daemon timeout 35):
 * every project of the batch would meet the same wall one by one, so none is rerun.
 */
const CONNECTION_EXIT_CODES = new Set([5, 10, 35, 255]);

/**
 * Runs a batch task: one rsync for all its projects, then one result per project from the
 * attributed item lines. When the batch does not end ok, each project runs again on its own (small
 * projects: quick, and mostly nothing left to copy) so each gets its own status and error; an
 * interrupted run, a full disk or a failed connection is not rerun.
 */
export async function runBatchTask(task: SyncTask, ctx: PlannedTaskContext): Promise<BatchOutcome> {
  const projects = task.projects ?? [];
  let attribution = new BatchAttribution(projects);
  const batch = await runPlannedTask(task, {
    ...ctx,
    onStart: (t, attempt) => {
      // A retry lists every item again: count the last attempt only.
      attribution = new BatchAttribution(projects);
      ctx.onStart?.(t, attempt);
    },
    onItem: (relPath, itemize, size) => attribution.add(relPath, itemize, size),
  });
  const counted = projects.map((name) => ({ name, counts: attribution.counts(name) }));
  // The batch's time, shared by each project's work: history then sizes the project, not the batch.
  const work = counted.map(({ counts }) => counts.filesTotal + counts.bytesTotal / BYTES_PER_FILE);
  const totalWork = work.reduce((a, b) => a + b, 0);
  const durationOf = (i: number): number => Math.round(totalWork > 0 ? (batch.durationMs * (work[i] ?? 0)) / totalWork : batch.durationMs / Math.max(1, projects.length));

  if (batch.status === 'ok') {
    return { batch, projects: counted.map(({ name, counts }, i) => projectResult(batch, name, counts, durationOf(i))) };
  }
  const stopped =
    batch.status === 'interrupted' ||
    ctx.signal?.aborted === true ||
    batch.alsoSeen?.includes('disk-full') === true ||
    (batch.exitCode !== null && CONNECTION_EXIT_CODES.has(batch.exitCode));
  if (stopped) {
    return {
      batch,
      projects: counted.map(({ name, counts }, i) => ({
        ...projectResult(batch, name, counts, durationOf(i)),
        ...(batch.error === null ? {} : { error: `${batch.error} (in the shared rsync ${task.id})` }),
        // Every project of the batch was in the rsync that met the full disk.
        ...(batch.alsoSeen?.includes('disk-full') ? { alsoSeen: ['disk-full'] } : {}),
      })),
    };
  }

  // Rerun one by one. Deletions the batch already made count against its --max-delete share.
  let deletionsLeft = ctx.maxDeletions === undefined ? undefined : Math.max(0, ctx.maxDeletions - batch.filesDeleted);
  const batchAttempts: AttemptRecord[] = batch.attempts.map((a) => ({ ...a, cause: `shared rsync ${task.id}: ${a.cause ?? a.meaning}; the project was copied again on its own` }));
  const results: TaskResult[] = [];
  for (const [i, projectTask] of projectTasksOfBatch(task).entries()) {
    const before = counted[i]?.counts;
    const own = await runPlannedTask(projectTask, {
      ...ctx,
      maxDeletions: deletionsLeft,
      // A front end knows the batch, not its projects: the rerun shows as the batch's progress.
      onStart: undefined,
      onProgress: (_t, progress) => ctx.onProgress?.(task, progress),
    });
    if (deletionsLeft !== undefined) deletionsLeft = Math.max(0, deletionsLeft - own.filesDeleted);
    results.push({
      ...own,
      // What the batch already copied or deleted for this project, plus what the rerun did.
      filesTransferred: own.filesTransferred + (before?.filesTransferred ?? 0),
      bytesTransferred: own.bytesTransferred + (before?.bytesTransferred ?? 0),
      filesDeleted: own.filesDeleted + (before?.filesDeleted ?? 0),
      startedAt: batch.startedAt,
      attempts: [...batchAttempts, ...own.attempts.map((a) => ({ ...a, attempt: a.attempt + batchAttempts.length }))],
    });
  }
  return { batch, projects: results };
}
