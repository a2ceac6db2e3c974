import type { ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import type { AttemptRecord, TaskResult } from '../report/types.js';
import { buildRsyncArgs } from '../rsync/args.js';
import { runRsync, type RsyncRunResult } from '../rsync/run.js';
import type { RsyncProgress } from '../rsync/types.js';

/** Live view of one task for front ends. */
export interface TaskProgress extends RsyncProgress {
  /** Last item rsync reported (relative to the task's subtree). */
  currentItem?: string;
  attempt: number;
}

export interface RetryPolicy {
  /** Extra attempts after a transient failure (connection, protocol stream, timeout). */
  retries: number;
  /** Wait before the first retry; doubles each time. */
  backoffMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 2, backoffMs: 2000 };

export interface RunTaskContext {
  options: ResolvedBackupOptions;
  retry: RetryPolicy;
  signal?: AbortSignal;
  onStart?: (task: SyncTask, attempt: number) => void;
  onProgress?: (task: SyncTask, progress: TaskProgress) => void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function lastStderrLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^rsync error:/.test(l));
  return lines[lines.length - 1] ?? '';
}

/** Runs one task to its end, retrying transient failures with exponential backoff. */
export async function runTask(task: SyncTask, ctx: RunTaskContext): Promise<TaskResult> {
  const startedAt = new Date();
  const args = buildRsyncArgs(task, ctx.options);
  const attempts: AttemptRecord[] = [];
  let result: RsyncRunResult | undefined;
  for (let attempt = 1; ; attempt++) {
    ctx.onStart?.(task, attempt);
    let currentItem: string | undefined;
    result = await runRsync({
      rsyncPath: ctx.options.rsyncPath,
      args,
      signal: ctx.signal,
      onItem: (item) => {
        currentItem = item;
      },
      onProgress: (p) => ctx.onProgress?.(task, { ...p, currentItem, attempt }),
    });
    const c = result.classification;
    attempts.push({ attempt, exitCode: result.exitCode ?? null, class: c.class, meaning: c.meaning, durationMs: result.durationMs });
    if (!c.retryable || attempt > ctx.retry.retries || ctx.signal?.aborted) break;
    await sleep(ctx.retry.backoffMs * 2 ** (attempt - 1), ctx.signal);
    if (ctx.signal?.aborted) break;
  }
  const finishedAt = new Date();
  const c = result.classification;
  const status = c.class === 'interrupted' ? 'interrupted' : c.status;
  const detail = lastStderrLine(result.stderrTail);
  const stats = result.stats;
  return {
    id: task.id,
    project: task.project,
    kind: task.kind,
    status,
    exitCode: result.exitCode ?? null,
    meaning: c.meaning,
    error: status === 'ok' ? null : detail && !c.meaning.includes(detail) ? `${c.meaning} (${detail})` : c.meaning,
    filesTransferred: stats?.filesTransferred ?? 0,
    bytesTransferred: stats?.totalTransferredSizeBytes ?? 0,
    filesDeleted: stats?.filesDeleted ?? result.itemsDeleted,
    filesTotal: stats?.filesTotal ?? 0,
    bytesTotal: stats?.totalFileSizeBytes ?? 0,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    attempts,
  };
}
