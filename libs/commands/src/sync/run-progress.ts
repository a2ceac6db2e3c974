import { formatBytes, formatCount, formatDuration, type SyncTask, type TaskProgress, type TaskResult } from '@dailysync/sync';

/** The whole run at one moment: what the overall line (live) and the periodic plain line show. */
export interface RunProgressSnapshot {
  projectsDone: number;
  projectsTotal: number;
  /** Tasks (rsync processes) finished, running now, and not started yet. */
  tasksDone: number;
  tasksRunning: number;
  tasksQueued: number;
  /** Projects with a failed or interrupted task so far. */
  projectsFailed: number;
  /**
   * Entries (files, folders, links: what the plan's walk counts) and bytes gone through rsync,
   * copied or found unchanged, on the plan's scale. Not the files transferred of the summary.
   */
  entriesDone: number;
  bytesDone: number;
  /** Planned totals; undefined when no task had an estimate (a remote source without history). */
  entriesPlanned?: number;
  bytesPlanned?: number;
  /** Bytes per second over the last RATE_WINDOW_MS. */
  bytesPerSecond: number;
  /** Milliseconds left: from the measured rate once there is one, else from the plan's time estimates. */
  etaMs?: number;
  elapsedMs: number;
}

/** Rate over the last 10 s: long enough to smooth file boundaries, short enough to follow a slowdown. */
const RATE_WINDOW_MS = 10_000;
/** Before this much of the run, the measured rate says little and the plan's estimate is used for the ETA. */
const RATE_TRUSTED_AFTER_MS = 5_000;

interface Running {
  task: SyncTask;
  entries: number;
  bytes: number;
}

/** The projects a task copies: a batch names several, every other task belongs to one. */
function projectsOf(task: SyncTask): readonly string[] {
  return task.kind === 'batch' ? (task.projects ?? []) : [task.project];
}

/**
 * Follows a run through BackupHooks events and sums it up. Every event costs O(1) and a snapshot
 * O(running tasks), so it stays cheap with 10,000 projects.
 */
export class RunProgress {
  private readonly partsLeft = new Map<string, number>();
  private readonly failedProjects = new Set<string>();
  private readonly running = new Map<string, Running>();
  private readonly finished = new Set<string>();
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private readonly startedAt: number;
  private projectsDone = 0;
  private doneEntries = 0;
  private doneBytes = 0;
  /** Estimated milliseconds of the tasks not finished yet (plan weights). */
  private weightLeft = 0;
  readonly entriesPlanned?: number;
  readonly bytesPlanned?: number;

  constructor(
    private readonly tasks: readonly SyncTask[],
    /** rsync processes at once: divides the plan's remaining time for the ETA; undefined ('auto'): those running now. */
    private readonly concurrency: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
    let entries = 0;
    let bytes = 0;
    let estimated = false;
    for (const t of tasks) {
      for (const project of projectsOf(t)) this.partsLeft.set(project, (this.partsLeft.get(project) ?? 0) + 1);
      this.weightLeft += Math.max(0, t.weight);
      if (t.estimate && t.estimate.basis !== 'none') {
        estimated = true;
        entries += t.estimate.files;
        bytes += t.estimate.bytes;
      }
    }
    if (estimated) {
      this.entriesPlanned = entries;
      this.bytesPlanned = bytes;
    }
  }

  get projectsTotal(): number {
    return this.partsLeft.size + this.projectsDone;
  }

  start(task: SyncTask): void {
    if (this.finished.has(task.id)) return;
    // A retry starts the same task again: its counters start over too.
    this.running.set(task.id, { task, entries: 0, bytes: 0 });
  }

  progress(task: SyncTask, p: TaskProgress): void {
    const r = this.running.get(task.id);
    if (!r) return;
    const planned = task.estimate && task.estimate.basis !== 'none' ? task.estimate : undefined;
    r.bytes = planned ? Math.min(planned.bytes, p.bytes) : p.bytes;
    if (p.toCheck) {
      const checked = Math.max(0, p.toCheck.total - p.toCheck.remaining);
      r.entries = planned ? Math.min(planned.files, checked) : checked;
    }
  }

  finish(task: SyncTask, result: TaskResult): void {
    if (this.finished.has(task.id)) return;
    this.finished.add(task.id);
    this.running.delete(task.id);
    this.weightLeft -= Math.max(0, task.weight);
    // Counted on the plan's scale, so done reaches the planned total (rsync's own count includes folders).
    const planned = task.estimate && task.estimate.basis !== 'none' ? task.estimate : undefined;
    this.doneEntries += planned ? planned.files : result.filesTotal;
    this.doneBytes += planned ? planned.bytes : result.bytesTotal;
    const failed = result.status === 'failed' || result.status === 'interrupted';
    // A failed batch names the projects that failed; the others of it were copied.
    for (const project of failed ? (result.failedProjects ?? projectsOf(task)) : []) this.failedProjects.add(project);
    for (const project of projectsOf(task)) {
      const left = (this.partsLeft.get(project) ?? 1) - 1;
      if (left > 0) this.partsLeft.set(project, left);
      else {
        this.partsLeft.delete(project);
        this.projectsDone += 1;
      }
    }
  }

  snapshot(): RunProgressSnapshot {
    const at = this.now();
    let entries = this.doneEntries;
    let bytes = this.doneBytes;
    for (const r of this.running.values()) {
      entries += r.entries;
      bytes += r.bytes;
    }
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && at - (this.samples[1]?.at ?? at) >= RATE_WINDOW_MS) this.samples.shift();
    const first = this.samples[0];
    const span = first ? at - first.at : 0;
    const bytesPerSecond = first && span > 0 ? Math.max(0, ((bytes - first.bytes) * 1000) / span) : 0;
    const elapsedMs = at - this.startedAt;
    const queued = this.tasks.length - this.finished.size - this.running.size;
    let etaMs: number | undefined;
    if (this.bytesPlanned !== undefined && bytesPerSecond > 0 && elapsedMs >= RATE_TRUSTED_AFTER_MS) {
      etaMs = (Math.max(0, this.bytesPlanned - bytes) * 1000) / bytesPerSecond;
    } else if (this.weightLeft > 0) {
      etaMs = this.weightLeft / Math.max(1, Math.min(this.concurrency ?? this.running.size, this.running.size + queued));
    }
    return {
      projectsDone: this.projectsDone,
      projectsTotal: this.projectsTotal,
      tasksDone: this.finished.size,
      tasksRunning: this.running.size,
      tasksQueued: Math.max(0, queued),
      projectsFailed: this.failedProjects.size,
      entriesDone: entries,
      bytesDone: bytes,
      ...(this.entriesPlanned === undefined ? {} : { entriesPlanned: this.entriesPlanned, bytesPlanned: this.bytesPlanned }),
      bytesPerSecond,
      ...(etaMs === undefined || queued + this.running.size === 0 ? {} : { etaMs: Math.round(etaMs) }),
      elapsedMs,
    };
  }
}

/** `120 of 2,000 projects · 130 of 2,100 entries · 1.2 GiB of 3.4 GiB · 45.0 MiB/s · ETA 2m10s`; no rate once nothing runs or waits */
export function formatOverallLine(s: RunProgressSnapshot): string {
  const of = (done: string, total: string | undefined): string => (total === undefined ? done : `${done} of ${total}`);
  return [
    `${of(formatCount(s.projectsDone), formatCount(s.projectsTotal))} projects`,
    `${of(formatCount(s.entriesDone), s.entriesPlanned === undefined ? undefined : formatCount(s.entriesPlanned))} entries`,
    of(formatBytes(s.bytesDone), s.bytesPlanned === undefined ? undefined : formatBytes(s.bytesPlanned)),
    // Once nothing runs or waits, a rate over the last seconds only tells how the run ended (0 B/s).
    s.tasksRunning + s.tasksQueued === 0 ? undefined : `${formatBytes(Math.round(s.bytesPerSecond))}/s`,
    s.etaMs === undefined ? undefined : `ETA ${formatDuration(s.etaMs)}`,
  ]
    .filter((p) => p !== undefined)
    .join(' · ');
}

/** `8 running, 1,872 queued, 1 failed` (rsync tasks; failed counts projects). */
export function formatTaskCounts(s: RunProgressSnapshot): string {
  return [`${formatCount(s.tasksRunning)} running`, `${formatCount(s.tasksQueued)} queued`, s.projectsFailed > 0 ? `${formatCount(s.projectsFailed)} failed` : undefined]
    .filter((p) => p !== undefined)
    .join(', ');
}
