import type { BackupHooks, BackupReport, SyncTask, TaskProgress, TaskResult } from '@dailysync/sync';

/** One line of `dailysync sync --json`: every event has `event` and an ISO `time`. */
export type JsonEvent =
  | { event: 'plan'; time: string; source: string; dest: string; concurrency: number | 'auto'; dryRun: boolean; tasks: Array<{ id: string; project: string; kind: SyncTask['kind']; projects?: string[] }> }
  | { event: 'task-start'; time: string; task: string; project: string; attempt: number }
  | { event: 'task-progress'; time: string; task: string; project: string; percent: number; bytes: number; bytesPerSecond: number; attempt: number }
  | { event: 'task-finish'; time: string; task: string; project: string; result: TaskResult }
  | { event: 'report'; time: string; report: BackupReport }
  /** The run did not get to (or through) the transfer: same message and class as the report's `error`. */
  | { event: 'error'; time: string; message: string; class: string; exitCode: number | null };

export interface JsonEventStreamOptions {
  stream: NodeJS.WritableStream;
  /** Minimum time between two progress events of one task, so a log shipper is not flooded. */
  progressThrottleMs: number;
  now?: () => number;
}

/** Writes one JSON object per line (JSON Lines) for log shippers, fed by BackupHooks. */
export class JsonEventStream {
  private readonly lastProgressAt = new Map<string, number>();

  constructor(private readonly options: JsonEventStreamOptions) {}

  private write(event: JsonEvent): void {
    this.options.stream.write(`${JSON.stringify(event)}\n`);
  }

  private time(): string {
    return new Date(this.options.now?.() ?? Date.now()).toISOString();
  }

  hooks(): BackupHooks {
    return {
      onPlan: ({ tasks, options }) =>
        this.write({
          event: 'plan',
          time: this.time(),
          source: options.source,
          dest: options.dest,
          concurrency: options.concurrency,
          dryRun: options.dryRun,
          // A batch task names the small projects its one rsync copies.
          tasks: tasks.map((t) => ({ id: t.id, project: t.project, kind: t.kind, ...(t.projects ? { projects: t.projects } : {}) })),
        }),
      onTaskStart: (task, attempt) => this.write({ event: 'task-start', time: this.time(), task: task.id, project: task.project, attempt }),
      onTaskProgress: (task, progress) => this.progress(task, progress),
      onTaskFinish: (task, result) => this.write({ event: 'task-finish', time: this.time(), task: task.id, project: task.project, result }),
    };
  }

  private progress(task: SyncTask, p: TaskProgress): void {
    const now = this.options.now?.() ?? Date.now();
    const last = this.lastProgressAt.get(task.id);
    if (last !== undefined && now - last < this.options.progressThrottleMs) return;
    this.lastProgressAt.set(task.id, now);
    this.write({ event: 'task-progress', time: this.time(), task: task.id, project: task.project, percent: p.percent, bytes: p.bytes, bytesPerSecond: p.bytesPerSecond, attempt: p.attempt });
  }

  report(report: BackupReport): void {
    this.write({ event: 'report', time: this.time(), report });
  }

  /** The last events of a run, on every exit path: an `error` event when the run failed before its transfer ended, then the report. */
  finish(record: BackupReport): void {
    if (record.error !== undefined) this.write({ event: 'error', time: this.time(), message: record.error.message, class: record.error.class, exitCode: record.exitCode ?? null });
    this.report(record);
  }
}
