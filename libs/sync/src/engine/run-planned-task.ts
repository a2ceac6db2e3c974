import type { SyncTask } from '../plan/task.js';
import { noTransfer } from '../report/build.js';
import type { TaskResult } from '../report/types.js';
import type { AutoConcurrency } from './auto-concurrency.js';
import { runTask, type RunTaskContext, type TaskProgress } from './run-task.js';
import { prepareSubtreeDestination } from './subtree-dest.js';

/** Files rsync has dealt with so far: checked entries when it says, else transferred ones. */
function filesDone(p: TaskProgress): number {
  if (p.toCheck) return Math.max(0, p.toCheck.total - p.toCheck.remaining);
  return p.filesTransferred ?? 0;
}

/**
 * Runs one planned task: makes sure a split part's destination path holds no link or file, feeds
 * the automatic concurrency controller (when there is one) with the task's throughput, and runs rsync.
 */
export async function runPlannedTask(
  task: SyncTask,
  ctx: RunTaskContext & { auto?: AutoConcurrency },
): Promise<TaskResult> {
  const { auto } = ctx;
  let message: string | undefined;
  try {
    await prepareSubtreeDestination(task, ctx.options);
  } catch (error) {
    message = `destination path of ${task.relPath} cannot be prepared (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the backup's permissions`;
  }
  if (message !== undefined) {
    const now = new Date().toISOString();
    return {
      id: task.id,
      project: task.project,
      kind: task.kind,
      status: 'failed',
      exitCode: null,
      meaning: message,
      error: message,
      ...noTransfer(now),
      attempts: [],
    };
  }
  auto?.taskStarted(task.id);
  const result = await runTask(task, {
    ...ctx,
    onProgress: (t, progress) => {
      auto?.taskProgress(t.id, progress.bytes, filesDone(progress));
      ctx.onProgress?.(t, progress);
    },
  });
  auto?.taskFinished(task.id, result.bytesTotal, result.filesTotal);
  return result;
}
