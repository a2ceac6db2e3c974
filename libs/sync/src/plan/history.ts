import type { TaskResult } from '../report/types.js';
import { getSection, type RunState } from '../state/run-state.js';
import type { SyncTask } from './task.js';

/** What one finished task measured, kept in the run state so the next run can plan with it. */
export interface TaskRecord {
  project: string;
  kind: SyncTask['kind'];
  relPath: string;
  /** True when the task left some subdirectories to other tasks (its numbers cover only the rest). */
  partial: boolean;
  /** Entries rsync considered (its "Number of files") and their total size. */
  files: number;
  bytes: number;
  durationMs: number;
  finishedAt: string;
}

/** The run-state section this module owns. */
export const THROUGHPUT_SECTION = 'throughput';

export interface ThroughputSection {
  /** Last measurement per task id. */
  tasks: Record<string, TaskRecord>;
}

/** Task records of earlier runs by task id (empty when there are none or the section is damaged). */
export function readTaskHistory(state: RunState): Map<string, TaskRecord> {
  const raw = getSection<ThroughputSection>(state, THROUGHPUT_SECTION)?.tasks;
  const history = new Map<string, TaskRecord>();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return history;
  for (const [id, value] of Object.entries(raw as Record<string, unknown>)) {
    const r = value as Partial<TaskRecord> | null;
    if (r && typeof r.project === 'string' && typeof r.relPath === 'string' && Number.isFinite(r.files) && Number.isFinite(r.bytes) && Number.isFinite(r.durationMs)) {
      history.set(id, r as TaskRecord);
    }
  }
  return history;
}

/**
 * The throughput section with this run's measurements: every project that ran gets the records of
 * its finished tasks (a task that failed keeps its older record); projects that no longer exist are dropped.
 */
export function recordTaskHistory(state: RunState, tasks: readonly SyncTask[], results: ReadonlyMap<string, TaskResult>, existingProjects: ReadonlySet<string>): ThroughputSection {
  const old = readTaskHistory(state);
  const ranProjects = new Set(tasks.map((t) => t.project));
  const next: Record<string, TaskRecord> = {};
  for (const [id, record] of old) {
    if (!existingProjects.has(record.project)) continue;
    if (ranProjects.has(record.project)) continue;
    next[id] = record;
  }
  for (const task of tasks) {
    const result = results.get(task.id);
    const finished = result && (result.status === 'ok' || result.status === 'warning') && result.finishedAt !== null;
    if (finished) {
      next[task.id] = {
        project: task.project,
        kind: task.kind,
        relPath: task.relPath,
        partial: task.excludeTopLevelDirs === 'all' || task.excludeTopLevelDirs.length > 0,
        files: result.filesTotal,
        bytes: result.bytesTotal,
        durationMs: result.durationMs,
        finishedAt: result.finishedAt ?? '',
      };
    } else {
      const previous = old.get(task.id);
      if (previous) next[task.id] = previous;
    }
  }
  return { tasks: next };
}

/** Each history's records by project, made on first use: a plan asks once per project, and a scan of every record each time was O(n²) (2,000 projects: 20 ms). */
const recordsByProject = new WeakMap<ReadonlyMap<string, TaskRecord>, Map<string, TaskRecord[]>>();

function recordsOf(history: ReadonlyMap<string, TaskRecord>, project: string): readonly TaskRecord[] {
  let index = recordsByProject.get(history);
  if (index === undefined) {
    index = new Map();
    for (const r of history.values()) {
      const list = index.get(r.project);
      if (list) list.push(r);
      else index.set(r.project, [r]);
    }
    recordsByProject.set(history, index);
  }
  return index.get(project) ?? [];
}

/** Size of a subtree from history: its own record plus, when it was split, the records below it. */
export function historySize(history: ReadonlyMap<string, TaskRecord>, project: string, relPath: string): { files: number; bytes: number; durationMs: number } | undefined {
  let found = false;
  const total = { files: 0, bytes: 0, durationMs: 0 };
  for (const r of recordsOf(history, project)) {
    if (r.relPath === relPath) found = true;
    if (r.relPath === relPath || r.relPath.startsWith(`${relPath}/`)) {
      total.files += r.files;
      total.bytes += r.bytes;
      // Parts ran side by side; their summed time is the work, which is what weights compare.
      total.durationMs += r.durationMs;
    }
  }
  return found ? total : undefined;
}
