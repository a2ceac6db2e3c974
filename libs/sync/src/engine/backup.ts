import fs from 'node:fs/promises';
import { discoverProjects, type Discovery } from '../discovery/discover.js';
import { resolveBackupOptions, defaultConcurrency, type BackupOptions, type ResolvedBackupOptions } from '../options.js';
import { planTasks } from '../plan/plan.js';
import type { SyncTask } from '../plan/task.js';
import { preflight } from '../preflight.js';
import { projectReports, reportTotals } from '../report/build.js';
import type { BackupReport, TaskResult } from '../report/types.js';
import { VERSION } from '../version.js';
import { runQueue } from './queue.js';
import { DEFAULT_RETRY_POLICY, runTask, type RetryPolicy, type TaskProgress } from './run-task.js';

/** Callbacks a front end (listr2 view, JSON event stream, an executor) uses to follow a backup. */
export interface BackupHooks {
  /** After discovery and planning, before any rsync starts. */
  onPlan?: (plan: { tasks: SyncTask[]; discovery: Discovery; options: ResolvedBackupOptions }) => void;
  onTaskStart?: (task: SyncTask, attempt: number) => void;
  onTaskProgress?: (task: SyncTask, progress: TaskProgress) => void;
  onTaskFinish?: (task: SyncTask, result: TaskResult) => void;
  /** Current number of rsync processes allowed at once; asked whenever a slot frees. */
  concurrencyLimit?: () => number;
}

export interface RunBackupRequest extends BackupOptions {
  hooks?: BackupHooks;
  /** Abort to stop every rsync (SIGTERM to each process group, SIGKILL after a grace period). */
  signal?: AbortSignal;
  retry?: RetryPolicy;
}

function skippedResult(name: string, reason: string): TaskResult {
  return {
    id: name,
    project: name,
    kind: 'project',
    status: 'skipped',
    exitCode: null,
    meaning: reason,
    error: null,
    filesTransferred: 0,
    bytesTransferred: 0,
    filesDeleted: 0,
    filesTotal: 0,
    bytesTotal: 0,
    startedAt: null,
    finishedAt: null,
    durationMs: 0,
    attempts: [],
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
  const { rsyncVersion, destExists } = await preflight(options);
  const discovery = await discoverProjects(options.source, options.include, options.exclude);
  const tasks = planTasks({ discovery });
  const hooks = request.hooks ?? {};
  hooks.onPlan?.({ tasks, discovery, options });

  // rsync creates only the last component of a destination; the root must exist (dry runs write nothing).
  if (!destExists && !options.dryRun) await fs.mkdir(options.dest);

  const fixed = options.concurrency === 'auto' ? defaultConcurrency() : options.concurrency;
  const limit = hooks.concurrencyLimit ?? ((): number => fixed);
  const results = new Map<string, TaskResult>();
  await runQueue(
    tasks,
    limit,
    async (task) => {
      const result = await runTask(task, {
        options,
        retry: request.retry ?? DEFAULT_RETRY_POLICY,
        signal: request.signal,
        onStart: hooks.onTaskStart,
        onProgress: hooks.onTaskProgress,
      });
      results.set(task.id, result);
      hooks.onTaskFinish?.(task, result);
    },
    { signal: request.signal },
  );

  const interrupted = request.signal?.aborted === true;
  const ordered: TaskResult[] = [];
  for (const task of tasks) {
    const r = results.get(task.id);
    ordered.push(r ?? { ...skippedResult(task.project, 'not started: the run was interrupted'), id: task.id, kind: task.kind, status: 'interrupted' });
  }
  for (const p of discovery.projects) if (!p.selected) ordered.push(skippedResult(p.name, p.skipReason ?? 'not selected'));
  const projects = projectReports(ordered);
  const finishedAt = new Date();
  const totals = reportTotals(projects);
  return {
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
    ok: totals.failed === 0 && !interrupted,
    interrupted,
    totals,
    projects,
  };
}
