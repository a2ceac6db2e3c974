import { setMaxListeners } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { discoverProjects, discoveryFromEntries, type Discovery } from '../discovery/discover.js';
import { listRemoteDirectory } from '../location/list-remote.js';
import { ensureRemoteFolders, ensureRemoteRoot } from '../location/remote-root.js';
import { resolveBackupOptions, type BackupOptions, type ResolvedBackupOptions } from '../options.js';
import { shardTasks } from '../plan/shard.js';
import type { SyncTask } from '../plan/task.js';
import { preflight } from '../preflight.js';
import { rsyncErrorDetail } from '../rsync/exit-codes.js';
import { noTransfer, projectReports, reportTotals } from '../report/build.js';
import type { BackupReport, TaskResult } from '../report/types.js';
import { VERSION } from '../version.js';
import { WriteError } from '../errors.js';
import type { RemoteRootOutcome } from '../location/remote-root.js';
import { readBackupState, type StateChange } from '../state/run-state.js';
import { checkBeforeWriting, startSafeRun } from '../safety/safe-run.js';
import { PhaseClock } from './phase-clock.js';
import { runQueue } from './queue.js';
import { restoreSplitFolderTimes } from './split-folder-times.js';
import { AutoConcurrency, autoConcurrencyRange, type SaturatedResource } from './auto-concurrency.js';
import { historyChange, planRun, type PlanningOptions } from './plan-run.js';
import { runPlannedTask } from './run-planned-task.js';
import { runBatchTask } from './run-batch-task.js';
import { FoldersComparedEarly, restoreTaskFolderTimes } from './task-folder-times.js';
import { WrittenFolders, type FolderRoots } from './folder-attributes.js';
import { isOnLocalDisk } from '../location/local-disk.js';
import { copyCheckFor } from '../safety/changed-during-copy.js';
import { projectTasksOfBatch, withBatchesExpanded } from '../plan/batch.js';
import { findCrossTaskLinks, linksTask } from './hard-links.js';
import { writeTaskRules } from './task-rules.js';
import { listBackupTop, projectsReplacingEntries, waitsForRootPass } from './backup-top.js';
import { makeRunTempDir, usesRunTempDir } from '../safety/recover.js';
import { ROOT_TASK_ID } from '../plan/task.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type TaskProgress } from './run-task.js';

/** Callbacks a front end (listr2 view, JSON event stream, an executor) uses to follow a backup. */
export interface BackupHooks {
  /** After discovery and planning, before any rsync starts. */
  onPlan?: (plan: { tasks: SyncTask[]; discovery: Discovery; options: ResolvedBackupOptions }) => void;
  onTaskStart?: (task: SyncTask, attempt: number) => void;
  onTaskProgress?: (task: SyncTask, progress: TaskProgress) => void;
  onTaskFinish?: (task: SyncTask, result: TaskResult) => void;
  /** Each entry a task deletes (in a dry run: would delete), relative to the backup root. */
  onTaskDeleting?: (task: SyncTask, relPath: string) => void;
  /** Current number of rsync processes allowed at once; asked whenever a slot frees. */
  concurrencyLimit?: () => number;
}

export interface RunBackupRequest extends BackupOptions {
  hooks?: BackupHooks;
  /** Abort to stop every rsync (SIGTERM to each process group, SIGKILL after a grace period). */
  signal?: AbortSignal;
  retry?: RetryPolicy;
  /** Split and estimate settings (tests and `dailysync plan` tune them); defaults otherwise. */
  planning?: PlanningOptions;
  /** Live bottleneck verdict for --concurrency auto (e.g. from @dailysync/metrics); undefined: none saturated. */
  saturation?: () => SaturatedResource | undefined;
}

/** Listeners one run's abort signal may hold at once: one per rsync (at most 256) plus the queue and waits. */
export const MAX_ABORT_LISTENERS = 300;

function skippedResult(name: string, reason: string): TaskResult {
  return {
    id: name,
    project: name,
    kind: 'project',
    status: 'skipped',
    exitCode: null,
    meaning: reason,
    error: null,
    ...noTransfer(),
    attempts: [],
  };
}

function unreachableResult(task: SyncTask, outcome: RemoteRootOutcome): TaskResult {
  const c = outcome.last.classification;
  const detail = rsyncErrorDetail(outcome.last.stderrTail);
  const now = new Date().toISOString();
  return {
    ...skippedResult(task.project, c.meaning),
    id: task.id,
    kind: task.kind,
    status: c.class === 'interrupted' ? 'interrupted' : 'failed',
    exitCode: outcome.last.exitCode ?? null,
    error: `backup root not reachable: ${c.meaning}${detail ? ` (${detail})` : ''}`,
    startedAt: now,
    finishedAt: now,
    attempts: outcome.attempts,
  };
}

/**
 * Backs up every selected project of `source` into `dest`, one rsync per task, at most the
 * concurrency limit at once. Throws ConfigError before anything is written when the request is
 * invalid; otherwise always returns a report, with failed projects marked (one failure does not
 * stop the others).
 */
export async function runBackup(request: RunBackupRequest): Promise<BackupReport> {
  const options = resolveBackupOptions(request);
  const startedAt = new Date();
  const phases = new PhaseClock();
  const checked = preflight(options);
  // A local source is listed while preflight waits for rsync's version (a process start and exit,
  // about 10 ms); preflight's errors still come first, and a listing that fails then is not reported.
  const listing = options.sourceLocation.kind === 'local' ? discoverProjects(options.source, options.include, options.exclude) : undefined;
  listing?.catch(() => undefined);
  const { rsyncVersion, destExists } = await checked;
  const retry = request.retry ?? DEFAULT_RETRY_POLICY;
  const discovery =
    listing !== undefined
      ? await listing
      : discoveryFromEntries(
          (await listRemoteDirectory(options.sourceLocation, options, retry, request.signal)).map((e) => ({ name: e.name, isDirectory: () => e.isDirectory })),
          options.include,
          options.exclude,
        );
  phases.end('discover');
  // Read once: the plan takes its history from it, the guards the last good run (an unreadable state stops the guards, not the plan).
  const state = readBackupState(options, destExists);
  state.catch(() => undefined);
  const plan = await planRun(options, discovery, destExists, request.planning, state);
  // rsync -H links only inside one transfer: links spanning tasks go to one link pass instead.
  const links = options.hardLinks && options.sourceLocation.kind === 'local' ? await findCrossTaskLinks(options.source, plan.tasks, discovery) : undefined;
  const backupTop = await listBackupTop(options, destExists);
  const rules = await writeTaskRules(plan.tasks, discovery, options, links, links && links.paths.length > 0 ? linksTask(links) : undefined, backupTop?.folders);
  phases.end('plan');
  try {
  const planned = rules.tasks;
  // Every shard plans the same list and keeps its own disjoint share of it.
  const sharded = options.shard === undefined ? undefined : shardTasks(planned, options.shard);
  const tasks = sharded?.tasks ?? planned;
  const hooks = request.hooks ?? {};
  hooks.onPlan?.({ tasks, discovery, options });

  // rsync creates only the last component of a destination; the root must exist (dry runs write nothing).
  // Shards start together, so another one may have just created it.
  const guardFacts = await checkBeforeWriting(options, discovery, destExists, plan.walkedProjectEntries, state);
  if (options.destLocation.kind === 'local' && !destExists && !options.dryRun) {
    await fs.mkdir(options.dest, { recursive: sharded !== undefined }).catch((error: NodeJS.ErrnoException) => {
      throw new WriteError(`--dest ${options.dest} cannot be created (${error.code ?? error.message}): check the permissions and free space of its parent`);
    });
  }
  const remoteRoot =
    options.destLocation.kind === 'local' || tasks.length === 0 ? undefined : await ensureRemoteRoot(options.destLocation, options, retry, request.signal);

  // The plan's concurrency: the fixed number, or where 'auto' starts for this storage.
  const fixed = plan.concurrency;
  const auto =
    options.concurrency === 'auto' && hooks.concurrencyLimit === undefined
      ? new AutoConcurrency({ ...autoConcurrencyRange(os.availableParallelism(), fixed), saturation: request.saturation })
      : undefined;
  const limit = hooks.concurrencyLimit ?? (auto ? (): number => auto.limit() : (): number => fixed);
  const safeRun = await startSafeRun(options, tasks, limit, guardFacts, request.signal);
  phases.end('guard');
  let report: BackupReport | null = null;
  let forwardAbort = (): void => undefined;
  let tempDir: string | undefined;
  let history: StateChange | undefined;
  try {
  tempDir = tasks.some((t) => usesRunTempDir(options, t)) ? await makeRunTempDir(options.dest) : undefined;
  // A full backup disk stops every task writing there: they would fail too, after more work.
  const stopWriting = new AbortController();
  // Each running rsync (up to 256 at once) listens on this signal and removes its listener when it
  // ends: many listeners at once is the design, not a leak, so Node's warning at 11 is lifted.
  setMaxListeners(MAX_ABORT_LISTENERS, stopWriting.signal);
  if (request.signal?.aborted) stopWriting.abort();
  forwardAbort = (): void => stopWriting.abort();
  request.signal?.addEventListener('abort', forwardAbort, { once: true });
  const taskSignal = stopWriting.signal;
  let diskFull = false;
  const results = new Map<string, TaskResult>();
  if (remoteRoot?.ok && options.destLocation.kind !== 'local' && !options.dryRun) {
    const splitFolders = tasks.filter((t) => t.kind === 'subtree' || t.kind === 'project-top').map((t) => t.relPath);
    // A failure here shows again, with its cause, in the tasks that need the folders.
    await ensureRemoteFolders(options.destLocation, splitFolders, options, request.signal);
  }
  if (remoteRoot !== undefined && !remoteRoot.ok) {
    // The backup root could not be reached or created: no task can succeed, and retrying each would only multiply the wait.
    for (const task of tasks) {
      const expanded = withBatchesExpanded([task]).map((t) => unreachableResult(t, remoteRoot));
      for (const result of expanded) results.set(result.id, result);
      // A front end waits for every planned task's finish (the live view would hang without it).
      hooks.onTaskFinish?.(task, task.kind === 'batch' ? { ...expanded[0]!, id: task.id, project: task.project, kind: task.kind } : expanded[0]!);
    }
  }
  let tasksStarted = 0;
  const written = new WrittenFolders();
  // Asked once, now that the backup root exists: the tasks' changed-during-copy checks and the closing folder passes use it.
  const roots = await folderRoots(options);
  const comparedEarly = new FoldersComparedEarly(options.dryRun ? undefined : roots, discovery, written, plan.walkedFolders);
  // For the report: what the tasks decide for themselves (run-task.ts), asked of the source root.
  const copiesChecked = (await copyCheckFor(options, options.source)).checks;
  // The root pass goes first in the queue; tasks that would replace an entry it deletes wait for its end.
  const replacing = projectsReplacingEntries(discovery, backupTop);
  let rootPassEnded = (): void => undefined;
  const afterRootPass = tasks.some((t) => t.kind === 'root') ? new Promise<void>((resolve) => (rootPassEnded = resolve)) : Promise.resolve();
  const runOne = async (task: SyncTask): Promise<void> => {
    try {
      if (waitsForRootPass(task, replacing)) await afterRootPass;
      // Stopped while it waited: it never started (the report says so, as for any task not reached).
      if (taskSignal.aborted) return;
      await runTaskNow(task);
    } finally {
      if (task.kind === 'root') rootPassEnded();
    }
  };
  const runTaskNow = async (task: SyncTask): Promise<void> => {
    const taskContext = {
      auto,
      options,
      retry,
      signal: taskSignal,
      onStart: hooks.onTaskStart,
      onProgress: hooks.onTaskProgress,
      onDeleting: hooks.onTaskDeleting,
      maxDeletions: safeRun.deletionCaps?.get(task.id),
      tempDir: usesRunTempDir(options, task) ? await taskTempDir(tempDir, (tasksStarted += 1)) : undefined,
      localDisks: roots?.localDisks,
      written,
    };
    if (task.kind === 'batch') {
      // One rsync for several small projects; the report keeps one result per project.
      const outcome = await runBatchTask(task, taskContext);
      if (outcome.batch.alsoSeen?.includes('disk-full')) {
        diskFull = true;
        stopWriting.abort();
      }
      for (const r of outcome.projects) results.set(r.id, r);
      comparedEarly.taskEnded(task, results);
      hooks.onTaskFinish?.(task, batchAsFinished(outcome.batch, outcome.projects));
      return;
    }
    const result = await runPlannedTask(task, taskContext);
    if (result.alsoSeen?.includes('disk-full')) {
      diskFull = true;
      stopWriting.abort();
    }
    if (diskFull && !request.signal?.aborted && result.status === 'interrupted') {
      Object.assign(result, { status: 'failed', error: 'stopped because the destination disk is full; the previous backup copies are intact' });
    }
    results.set(task.id, result);
    comparedEarly.taskEnded(task, results);
    hooks.onTaskFinish?.(task, result);
  };
  const queued = tasks.filter((t) => !results.has(t.kind === 'batch' ? (t.projects?.[0] ?? t.id) : t.id));
  // A remote backup's link pass writes its temporary files beside its files (no run folder there),
  // in folders other tasks own: their --delete could remove them before the rename. It runs after them.
  const afterTheRest = options.destLocation.kind !== 'local' && options.delete ? queued.filter((t) => t.kind === 'links') : [];
  await runQueue(queued.filter((t) => !afterTheRest.includes(t)), limit, runOne, { signal: taskSignal });
  if (afterTheRest.length > 0) await runQueue(afterTheRest, limit, runOne, { signal: taskSignal });
  phases.end('transfer');
  // Before the folder times are set: removing an emptied `.dailysync` changes the backup root's own time.
  await removeRunTempDir(tempDir);
  // Side by side: both set attributes of existing folders (setting a folder's attributes changes no
  // time above it). Both also set the backup root's and some parents' (the folder list's implied
  // folders; the root pass), always to the same source values, so their order does not matter.
  // Each rsync ends with about 40 ms of rsync's own exit waits (local) or a round trip (NAS): one
  // after the other cost the first night of 2,000 one-file projects 0.12 s and of the slow NAS 1.0 s.
  // Both are awaited before an error of either goes on: the lock and the rules files must outlive
  // every rsync of this run.
  const closing = await Promise.allSettled([
    restoreTaskFolderTimes(tasks, options, results, discovery, taskSignal, roots, written, comparedEarly),
    restoreSplitFolderTimes(tasks, options, results, taskSignal, planned.find((t) => t.kind === 'root'), roots, planned),
  ]);
  for (const pass of closing) if (pass.status === 'rejected') throw pass.reason;

  // History and the report know projects: a batch stands for its project tasks there. Written with the run's other state, at its end.
  history = historyChange(options, discovery, withBatchesExpanded(tasks), results);
  phases.end('finish');
  const interrupted = request.signal?.aborted === true;
  const ordered: TaskResult[] = [];
  for (const task of tasks) {
    if (task.kind === 'batch') {
      for (const projectTask of projectTasksOfBatch(task)) {
        const r = results.get(projectTask.id);
        ordered.push(
          r ?? {
            ...skippedResult(projectTask.project, 'not started: the run was interrupted'),
            status: diskFull && !interrupted ? 'failed' : 'interrupted',
            error: diskFull && !interrupted ? 'not started: the destination disk is full' : null,
          },
        );
      }
      if (!projectTasksOfBatch(task).some((t) => results.has(t.id))) {
        hooks.onTaskFinish?.(task, { ...skippedResult(task.project, 'not started'), id: task.id, kind: task.kind, status: diskFull && !interrupted ? 'failed' : 'interrupted' });
      }
      continue;
    }
    const r = results.get(task.id);
    if (r !== undefined) {
      ordered.push(r);
      continue;
    }
    const notStarted: TaskResult =
      diskFull && !interrupted
        ? { ...skippedResult(task.project, 'not started: the destination disk is full'), id: task.id, kind: task.kind, status: 'failed', error: 'not started: the destination disk is full' }
        : { ...skippedResult(task.project, 'not started: the run was interrupted'), id: task.id, kind: task.kind, status: 'interrupted' };
    ordered.push(notStarted);
    // Every planned task gets a finish, so a front end waiting on each one can end.
    hooks.onTaskFinish?.(task, notStarted);
  }
  for (const p of discovery.projects) if (!p.selected) ordered.push(skippedResult(p.name, p.skipReason ?? 'not selected'));
  const projects = projectReports(withRemovedProjects(ordered));
  const finishedAt = new Date();
  const totals = reportTotals(projects);
  report = {
    tool: 'dailysync',
    version: VERSION,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    source: options.source,
    dest: options.dest,
    dryRun: options.dryRun,
    delete: options.delete,
    concurrency: options.concurrency,
    rsyncVersion,
    ok: totals.failed === 0 && totals.interrupted === 0 && !interrupted,
    interrupted,
    totals,
    projects,
    ...(sharded === undefined || options.shard === undefined
      ? {}
      : {
          shard: {
            index: options.shard.index,
            count: options.shard.count,
            // Counted as the report lists them: a batch as its projects.
            plannedTasks: withBatchesExpanded(planned).length,
            digest: sharded.digest,
            taskIds: withBatchesExpanded(tasks).map((t) => t.id),
          },
        }),
    safety: safeRun.report,
    changedCheck: { mode: options.changedCheck, checked: copiesChecked },
    ...(auto ? { concurrencyChanges: [...auto.decisions] } : {}),
    phasesMs: phases.durations(),
  };
  return report;
  } finally {
    request.signal?.removeEventListener('abort', forwardAbort);
    // After an error or an interruption too (it is gone already after a normal transfer).
    await removeRunTempDir(tempDir);
    try {
      await safeRun.finish(report, history);
    } catch (error) {
      if (report === null) throw error;
      // The copy is done but the state the guards compare against next time is not recorded:
      // the report says so (ok false) instead of the run ending without one.
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      report.ok = false;
      report.error = { message: `the backup ran but its state could not be recorded in ${options.dest}/.dailysync (${code}): free space there; the next run's --max-shrink check compares with the previous state`, class: 'WriteError' };
    }
  }
  } finally {
    await rules.remove();
  }
}

/** Both roots, when both are local paths (a mounted NAS included): folder attributes can then be compared here first. */
async function folderRoots(options: ResolvedBackupOptions): Promise<FolderRoots | undefined> {
  const { sourceLocation: source, destLocation: dest } = options;
  if (source.kind !== 'local' || dest.kind !== 'local') return undefined;
  return { source: source.path, dest: dest.path, localDisks: (await isOnLocalDisk(source.path)) && (await isOnLocalDisk(dest.path)) };
}

/**
 * A task's own folder in the run's temporary folder. rsync writes each file there and renames it
 * into place; several rsyncs sharing one folder contend for it (4 batches of 500 small projects:
 * 1.4 s together with one shared folder, 1.0 s with one each). Undefined: rsync's temporary files
 * go beside their files (no run temp folder, e.g. a remote backup).
 */
async function taskTempDir(runTempDir: string | undefined, taskNumber: number): Promise<string | undefined> {
  if (runTempDir === undefined) return undefined;
  const dir = path.join(runTempDir, String(taskNumber));
  // A folder that cannot be made (a full disk) must not fail the task: the shared one still works.
  return fs.mkdir(dir, { recursive: true }).then(
    () => dir,
    () => runTempDir,
  );
}

/** Removes the run's temporary folder, and `.dailysync/tmp` and `.dailysync` when that leaves them empty (a snapshot, a restored tree). */
async function removeRunTempDir(tempDir: string | undefined): Promise<void> {
  if (tempDir === undefined) return;
  await fs.rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
  for (const folder of [path.dirname(tempDir), path.dirname(path.dirname(tempDir))]) await fs.rmdir(folder).catch(() => undefined);
}

/**
 * What a front end shows for a finished batch: its projects' outcome, not the shared rsync's. A
 * batch that failed was rerun project by project; only the projects that still failed count,
 * each named with its own error.
 */
function batchAsFinished(batch: TaskResult, projects: readonly TaskResult[]): TaskResult {
  const failed = projects.filter((p) => p.status === 'failed');
  if (failed.length > 0) {
    return { ...batch, status: 'failed', error: failed.map((p) => `${p.project}: ${p.error ?? p.meaning}`).join('; '), failedProjects: failed.map((p) => p.project) };
  }
  if (batch.status !== 'failed') return batch;
  const status = projects.some((p) => p.status === 'interrupted') ? 'interrupted' : projects.some((p) => p.status === 'warning') ? 'warning' : 'ok';
  return { ...batch, status, error: null };
}

/**
 * Project folders the root pass deleted (gone or renamed in the source) as report entries of their
 * own, so the summary names them; their deletions move from the root pass's count to them.
 */
function withRemovedProjects(results: readonly TaskResult[]): TaskResult[] {
  const out: TaskResult[] = [];
  for (const r of results) {
    const removed = Object.entries(r.removedFolders ?? {});
    if (removed.length === 0) {
      out.push(r);
      continue;
    }
    const moved = removed.reduce((sum, [, n]) => sum + n, 0);
    out.push({ ...r, filesDeleted: Math.max(0, r.filesDeleted - moved) });
    for (const [name, deleted] of removed) {
      out.push({
        ...skippedResult(name, 'removed from the source: deleted from the backup (--delete)'),
        id: `${ROOT_TASK_ID}/${name}`,
        status: r.status === 'ok' || r.status === 'warning' ? 'ok' : r.status,
        filesDeleted: deleted,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
      });
    }
  }
  return out;
}
