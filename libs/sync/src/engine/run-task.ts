import type { ResolvedBackupOptions } from '../options.js';
import { waitBeforeRetry } from './backoff.js';
import type { SyncTask } from '../plan/task.js';
import type { AttemptRecord, TaskResult } from '../report/types.js';
import { buildRsyncArgs, taskPaths } from '../rsync/args.js';
import { rsyncErrorDetail } from '../rsync/exit-codes.js';
import { splitSizedItem } from './batch-attribution.js';
import type { WrittenFolders } from './folder-attributes.js';
import { copyCheckFor, CopiedFiles, CopyClock, findChangedDuringCopy } from '../safety/changed-during-copy.js';
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
  /** Each entry rsync deletes (or, in a dry run, would delete), relative to the backup root. */
  onDeleting?: (task: SyncTask, relPath: string) => void;
  /** Most deletions this task may make (rsync --max-delete); undefined: no cap. */
  maxDeletions?: number;
  /** Each item rsync lists (path relative to the task's subtree; size only for batch tasks, else 0). */
  onItem?: (relPath: string, itemize: string, size: number) => void;
  /** rsync --temp-dir: this run's own folder inside the backup (same filesystem, so the rename into place stays atomic). */
  tempDir?: string;
  /** The source and backup roots both lie on this machine's disks (isOnLocalDisk; asked once per run). */
  localDisks?: boolean;
  /** Records which task folders the run's rsyncs wrote into (for the closing folder pass). */
  written?: WrittenFolders;
}

/** Extra copies of a task whose files changed while being copied, before reporting them. */
const MAX_COPY_AGAIN = 2;
const DISK_FULL = /No space left on device|Disk quota exceeded/;
/**
 * rsync renames a file out of --temp-dir by a longer path than the in-place temp name it uses
 * without it: below a backup path near PATH_MAX (4096 bytes) only the latter works.
 */
const TEMP_DIR_RENAME_TOO_LONG = /\brename ".*" -> ".*": File name too long \(36\)/;

/**
 * The root pass deletes (at its end: --delete-delay) a file or link at the top of the backup that the
 * source has made a project folder; when that project's task, on another shard, replaced it with
 * the folder first, rsync's unlink meets a folder. Run again, the root pass finds the folder (a
 * project's, left alone) and has nothing left to do there (seen in the differential soak, seed
 * 580223443, three shards; within one run the project's task waits for the root pass instead).
 */
const ROOT_ENTRY_REPLACED = /delete_file: unlink\(.*\) failed: Is a directory \(21\)/;

/** Runs one task to its end, retrying transient failures with exponential backoff. */
export async function runTask(task: SyncTask, ctx: RunTaskContext): Promise<TaskResult> {
  const startedAt = new Date();
  const argsWith = (tempDir: string | undefined): string[] => buildRsyncArgs(task, ctx.options, { maxDeletions: ctx.maxDeletions, tempDir });
  let args = argsWith(ctx.tempDir);
  let usesTempDir = ctx.tempDir !== undefined;
  const attempts: AttemptRecord[] = [];
  let result: RsyncRunResult | undefined;
  let alsoSeen: string[] = [];
  let changedDuringCopy: string[] = [];
  let copyAgain = 0;
  // Attempts that are not retries of a failure (a copy again of changed files, the temp-folder
  // fallback): they do not use up the retry budget.
  let extraAttempts = 0;
  let rootRerun = false;
  // What every attempt copied, summed: a retry or a second copy of a changed file adds work, it
  // does not undo the first attempt's. An attempt stopped before its --stats counts what it showed.
  const done = { files: 0, bytes: 0, deleted: 0 };
  let removedFolders: Record<string, number> = {};
  // Asked per task: a project folder can be a mount of its own. The check may skip files by ctime
  // only where ctime comes from this clock.
  const { checks, sourceClockIsOurs } = await copyCheckFor(ctx.options, taskPaths(task, ctx.options).from);
  // Both sides on this machine's disks: the check's lookups are cheap enough for the main thread.
  const localDisks = sourceClockIsOurs && ctx.localDisks === true;
  for (let attempt = 1; ; attempt++) {
    ctx.onStart?.(task, attempt);
    let currentItem: string | undefined;
    const copied = new CopiedFiles();
    removedFolders = {};
    const copyClock = new CopyClock();
    result = await runRsync({
      rsyncPath: ctx.options.rsyncPath,
      args,
      signal: ctx.signal,
      onItem: (item, itemize) => {
        // A batch's lines carry the item's size before its name (BATCH_OUT_FORMAT).
        const sized = task.kind === 'batch' ? splitSizedItem(item) : undefined;
        const relPath = sized?.path ?? item;
        currentItem = relPath;
        if (itemize.startsWith('*deleting')) {
          ctx.onDeleting?.(task, task.relPath === '' ? relPath : `${task.relPath}/${relPath}`);
          // A deletion below a top-level folder, in the root pass: that folder left the source.
          const slash = relPath.indexOf('/');
          if (task.kind === 'root' && slash > 0) {
            const top = relPath.slice(0, slash);
            removedFolders[top] = (removedFolders[top] ?? 0) + 1;
          }
        }
        if (checks) copied.add(relPath, itemize);
        ctx.written?.note(task, relPath, itemize);
        ctx.onItem?.(relPath, itemize, sized?.size ?? 0);
      },
      onProgress: (p) => ctx.onProgress?.(task, { ...p, currentItem, attempt }),
    });
    const c = result.classification;
    done.files += result.stats?.filesTransferred ?? result.filesItemized;
    done.bytes += result.stats?.totalTransferredSizeBytes ?? result.progressBytes;
    done.deleted += result.stats?.filesDeleted ?? result.itemsDeleted;
    alsoSeen = [...c.alsoSeen, ...(DISK_FULL.test(result.stderrTail) ? ['disk-full'] : [])];
    const record: AttemptRecord = { attempt, exitCode: result.exitCode ?? null, class: c.class, meaning: c.meaning, durationMs: result.durationMs };
    if (alsoSeen.length > 0) record.alsoSeen = alsoSeen;
    attempts.push(record);
    // Paths too long to leave the run's temp folder: copy again with rsync's temp files beside them
    // (a run killed then may leave such a file; rsync --delete removes it the next night).
    if (usesTempDir && c.status === 'failed' && c.class !== 'interrupted' && TEMP_DIR_RENAME_TOO_LONG.test(result.stderrTail)) {
      record.cause = 'paths too long to rename out of the run temp folder: copied again with temp files beside them';
      usesTempDir = false;
      args = argsWith(undefined);
      extraAttempts += 1;
      continue;
    }
    if (task.kind === 'root' && c.status === 'failed' && c.class !== 'interrupted' && !rootRerun && ROOT_ENTRY_REPLACED.test(result.stderrTail)) {
      record.cause = 'an entry it was deleting at the top was meanwhile replaced by a project folder (another shard): run again';
      rootRerun = true;
      extraAttempts += 1;
      continue;
    }
    // A source file written while rsync read it can leave a torn copy with exit 0: copy it again.
    changedDuringCopy = checks && c.status !== 'failed' && c.class !== 'interrupted' && !ctx.signal?.aborted
      ? await findChangedDuringCopy(taskPaths(task, ctx.options).from, taskPaths(task, ctx.options).to, copied.paths, sourceClockIsOurs ? copyClock.untouchedReference() : undefined, localDisks)
      : [];
    if (changedDuringCopy.length > 0) {
      record.cause = `${changedDuringCopy.length} file(s) changed while being copied: ${changedDuringCopy.slice(0, 3).join(', ')}`;
      if (copyAgain < MAX_COPY_AGAIN) {
        copyAgain += 1;
        extraAttempts += 1;
        continue;
      }
      break;
    }
    if (!c.retryable || attempt > ctx.retry.retries + extraAttempts || ctx.signal?.aborted) break;
    if (!(await waitBeforeRetry(ctx.retry, attempt, ctx.signal))) break;
  }
  const finishedAt = new Date();
  const c = result.classification;
  // Only a stop this run asked for is an interruption; an rsync killed from outside (OOM killer, an
  // operator's kill) left its copy incomplete and must fail the run.
  const status =
    c.class === 'interrupted' ? (ctx.signal?.aborted ? 'interrupted' : 'failed') : changedDuringCopy.length > 0 && c.status === 'ok' ? 'warning' : c.status;
  const detail = rsyncErrorDetail(result.stderrTail);
  const stats = result.stats;
  return {
    id: task.id,
    project: task.project,
    kind: task.kind,
    status,
    exitCode: result.exitCode ?? null,
    meaning: c.meaning,
    error:
      status === 'ok'
        ? null
        : changedDuringCopy.length > 0 && c.status === 'ok'
          ? `${changedDuringCopy.length} file(s) kept changing while being copied (copied ${copyAgain + 1} times; the backup copy may be torn): ${changedDuringCopy.slice(0, 5).join(', ')}`
          : detail && !c.meaning.includes(detail) ? `${c.meaning} (${detail})` : c.meaning,
    filesTransferred: done.files,
    bytesTransferred: done.bytes,
    filesDeleted: done.deleted,
    filesTotal: stats?.filesTotal ?? 0,
    bytesTotal: stats?.totalFileSizeBytes ?? 0,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    attempts,
    ...(alsoSeen.length > 0 ? { alsoSeen } : {}),
    ...(changedDuringCopy.length > 0 ? { changedDuringCopy: changedDuringCopy.slice(0, 100) } : {}),
    ...(Object.keys(removedFolders).length > 0 ? { removedFolders } : {}),
  };
}
