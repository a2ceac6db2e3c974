import { formatCount, type BackupHooks, type SyncTask, type TaskResult } from '@dailysync/sync';
import type { RunLog } from '../output/run-log.js';
import { finalLine, progressLine, taskLabel } from './task-lines.js';
import { formatOverallLine, formatTaskCounts, RunProgress } from './run-progress.js';

export interface PlainViewOptions {
  log: RunLog;
  /** Minimum time between two progress lines of one task (logs want few). */
  throttleMs: number;
  /** How often the overall and resource lines are printed. */
  periodMs: number;
  resources?: () => string | undefined;
}

/**
 * Plain output for logs, pipes, cron and CI: one timestamped line per finished task, a failure
 * line as soon as a task fails, each running task's progress at most every throttleMs, and the
 * overall and resource lines every periodMs. No colours, no cursor moves.
 */
export class PlainView {
  private progress: RunProgress | undefined;
  private readonly lastOutputAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly options: PlainViewOptions) {}

  hooks(): BackupHooks {
    return {
      onPlan: ({ tasks, options }) => this.start(tasks, options.concurrency),
      onTaskStart: (task, attempt) => {
        this.progress?.start(task);
        this.lastOutputAt.set(task.id, Date.now());
        if (attempt > 1) this.options.log.line(`${taskLabel(task)}: retrying (attempt ${attempt})`);
      },
      onTaskProgress: (task, p) => {
        this.progress?.progress(task, p);
        const now = Date.now();
        if (now - (this.lastOutputAt.get(task.id) ?? 0) < this.options.throttleMs) return;
        this.lastOutputAt.set(task.id, now);
        this.options.log.line(`${taskLabel(task)}: ${progressLine(p)}`);
      },
      onTaskFinish: (task, result) => this.finish(task, result),
    };
  }

  private start(tasks: SyncTask[], concurrency: number | 'auto'): void {
    const progress = new RunProgress(tasks, concurrency === 'auto' ? undefined : concurrency);
    this.progress = progress;
    this.options.log.line(`plan: ${formatCount(tasks.length)} rsync tasks for ${formatCount(progress.projectsTotal)} projects`);
    this.timer = setInterval(() => this.periodic(), this.options.periodMs);
    this.timer.unref();
  }

  private periodic(): void {
    if (this.progress) {
      const snapshot = this.progress.snapshot();
      this.options.log.line(`overall: ${formatOverallLine(snapshot)} · ${formatTaskCounts(snapshot)}`);
    }
    const resources = this.options.resources?.();
    if (resources !== undefined) this.options.log.line(`resources: ${resources}`);
  }

  private finish(task: SyncTask, result: TaskResult): void {
    this.progress?.finish(task, result);
    this.lastOutputAt.delete(task.id);
    const label = taskLabel(task);
    if (result.status === 'failed' || result.status === 'interrupted') {
      this.options.log.line(`✖ ${label}: ${result.status}${result.error ? `: ${result.error}` : ''}`, 'error');
    } else if (result.status === 'skipped') this.options.log.line(`− ${label}: skipped (${result.meaning})`);
    else this.options.log.line(`✔ ${finalLine(label, result)}`);
  }

  /** Ends the view (also when the run stopped early; the summary says which tasks did not run). */
  async close(_reason?: string): Promise<void> {
    await this.done();
  }

  /** Stops the periodic lines and prints the last overall and resource lines. */
  async done(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.progress) this.periodic();
  }
}
