import type { Listr, ListrTask, ListrTaskWrapper } from 'listr2';
import { formatCount, formatDuration, printableName, type BackupHooks, type SyncTask, type TaskProgress, type TaskResult } from '@dailysync/sync';
import { formatOverallLine, formatTaskCounts, RunProgress } from './run-progress.js';
import { finalLine, groupedByProject, progressLine, taskLabel } from './task-lines.js';

export interface ListrViewOptions {
  /** Minimum time between two output updates of one running task. */
  throttleMs: number;
  /** Live resource line (e.g. @dailysync/metrics' formatLiveLine), shown as an extra row while rsyncs run. */
  resources?: () => string | undefined;
  /** Rows for running tasks; default: the run's concurrency (32 at most with 'auto'). */
  rows?: number;
  /** How long after the plan the view is first drawn; default DRAW_AFTER_MS. */
  drawAfterMs?: number;
}

/**
 * The view is first drawn this long after the plan, and a run that ends before is not drawn at all
 * (its summary follows, as always): a view that flashes for a fraction of a second tells nothing,
 * and loading listr2 and drawing cost such a run about a sixth of its time (2,000 one-file
 * projects on tmpfs: 0.61 s on a terminal against 0.53 s plain). Until then the view keeps its state
 * (rows, queue, failures), which the first frame shows.
 */
export const DRAW_AFTER_MS = 1000;

/** How often the overall and resource rows change. */
const REFRESH_MS = 1000;
/** Failures listed live under the failures row; the summary table after the run lists them all. */
const FAILURES_SHOWN = 5;
/** With --concurrency auto the engine never runs more than this many rsyncs (autoConcurrencyRange). */
const AUTO_MAX_ROWS = 32;

type Wrapper = ListrTaskWrapper<unknown, never, never>;

/** A row that shows whichever task runs in it; an idle row has an empty title, which listr2 does not draw. */
interface Row {
  wrapper?: Wrapper;
  taskId?: string;
  title: string;
  output: string;
  lastOutputAt: number;
}

/**
 * The live view on a terminal, drawn by listr2 with a fixed number of rows whatever the number of
 * projects: the overall line, the resource line, the failures so far, one row per running rsync
 * (with its live progress) and one waiting row for the queue. Every redraw costs O(concurrency),
 * not O(projects): with one row per project a 2,000-project run spent its time redrawing idle rows.
 * The engine schedules the work; the view only mirrors it through BackupHooks.
 */
export class ListrView {
  private progress: RunProgress | undefined;
  private readonly rows: Row[] = [];
  private readonly rowOf = new Map<string, Row>();
  private readonly failures: string[] = [];
  private readonly queue: SyncTask[] = [];
  private queueHead = 0;
  private readonly started = new Set<string>();
  private failuresWrapper?: Wrapper;
  private list: Listr<unknown, 'default', 'simple'> | undefined;
  private running: Promise<unknown> | undefined;
  private drawTimer: NodeJS.Timeout | undefined;
  private allFinished!: () => void;
  private readonly finished = new Promise<void>((resolve) => (this.allFinished = resolve));
  private tasksLeft = 0;
  private readonly finishedIds = new Set<string>();
  /** Tasks the run never got to (closed early) and why: shown on the overall row, not on a task row. */
  private notRun: { count: number; reason: string } | undefined;

  constructor(private readonly options: ListrViewOptions) {}

  hooks(): BackupHooks {
    return {
      onPlan: ({ tasks, options }) => this.start(tasks, options.concurrency),
      onTaskStart: (task, attempt) => this.taskStarted(task, attempt),
      onTaskProgress: (task, p) => {
        this.progress?.progress(task, p);
        this.setOutput(task, progressLine(p), false);
      },
      onTaskFinish: (task, result) => this.taskFinished(task, result),
    };
  }

  private taskStarted(task: SyncTask, attempt: number): void {
    this.progress?.start(task);
    this.started.add(task.id);
    this.showQueue();
    if (!this.rowOf.has(task.id)) {
      const row = this.rows.find((r) => r.taskId === undefined);
      // More rsyncs than rows cannot happen with the run's own concurrency; if it did, the task still counts in the overall line.
      if (row) {
        row.taskId = task.id;
        this.rowOf.set(task.id, row);
        this.setTitle(row, taskLabel(task));
      }
    }
    this.setOutput(task, attempt > 1 ? `retrying (attempt ${attempt})` : 'starting rsync', true);
  }

  private taskFinished(task: SyncTask, result: TaskResult): void {
    if (this.finishedIds.has(task.id)) return;
    this.finishedIds.add(task.id);
    this.progress?.finish(task, result);
    this.started.add(task.id);
    const row = this.rowOf.get(task.id);
    if (row) {
      this.rowOf.delete(task.id);
      row.taskId = undefined;
      this.setOutputOf(row, '', true);
      this.setTitle(row, '');
    }
    if (result.status === 'failed' || result.status === 'interrupted') {
      this.failures.push(`${taskLabel(task)}: ${result.status}${result.error ? `: ${result.error}` : ''}`);
      const wrapper = this.failuresWrapper;
      if (wrapper) {
        wrapper.title = this.failuresTitle();
        wrapper.output = this.failures.at(-1) ?? '';
      }
    }
    this.showQueue();
    this.tasksLeft -= 1;
    if (this.tasksLeft <= 0) this.allFinished();
  }

  private setTitle(row: Row, title: string): void {
    row.title = title;
    if (row.wrapper) row.wrapper.title = title;
  }

  private setOutput(task: SyncTask, text: string, force: boolean): void {
    const row = this.rowOf.get(task.id);
    if (row) this.setOutputOf(row, text, force);
  }

  private setOutputOf(row: Row, text: string, force: boolean): void {
    const now = Date.now();
    if (!force && now - row.lastOutputAt < this.options.throttleMs) return;
    row.lastOutputAt = now;
    row.output = text;
    if (row.wrapper) row.wrapper.output = text;
  }

  private failuresTitle(): string {
    const n = this.failures.length;
    return n === 0 ? '' : `${n} failed${n > FAILURES_SHOWN ? ` (last ${FAILURES_SHOWN} below; all in the summary)` : ''}`;
  }

  /** The waiting row: how many tasks wait and which start next. Its listr2 task has not started, so it is drawn as waiting. */
  private queueTitle(): string {
    // The engine starts tasks in plan order (retries aside), so the head only moves forward: O(1) amortised.
    while (this.queueHead < this.queue.length && this.started.has(this.queue[this.queueHead]?.id ?? '')) this.queueHead += 1;
    const waiting = this.queue.length - this.started.size;
    if (waiting <= 0) return '';
    const next: string[] = [];
    for (let i = this.queueHead; i < this.queue.length && next.length < 3; i += 1) {
      const t = this.queue[i];
      if (t && !this.started.has(t.id)) next.push(taskLabel(t));
    }
    return `queued: ${formatCount(waiting)} waiting (next: ${next.join(', ')}${waiting > next.length ? ', …' : ''})`;
  }

  private showQueue(): void {
    const task = this.list?.tasks.at(-1);
    if (task && !task.isStarted() && !task.hasFinalized()) task.title$ = this.queueTitle();
  }

  private start(tasks: SyncTask[], concurrency: number | 'auto'): void {
    const rowCount = Math.max(1, Math.min(tasks.length, this.options.rows ?? (concurrency === 'auto' ? AUTO_MAX_ROWS : concurrency)));
    this.progress = new RunProgress(tasks, concurrency === 'auto' ? undefined : concurrency);
    this.tasksLeft = tasks.length;
    if (tasks.length === 0) this.allFinished();
    this.queue.push(...tasks);
    for (let i = 0; i < rowCount; i += 1) this.rows.push({ title: '', output: '', lastOutputAt: 0 });
    const progress = this.progress;
    // Every row is created with a title: listr2 sends the output of a task created without one to its bottom bar.
    const rowTasks: ListrTask<unknown, never, never>[] = this.rows.map((row) => ({
      title: 'idle',
      task: async (_ctx: unknown, wrapper: Wrapper) => {
        row.wrapper = wrapper;
        wrapper.title = row.title;
        wrapper.output = row.output;
        await this.finished;
        wrapper.title = '';
      },
    }));
    const overall: ListrTask<unknown, never, never> = {
      title: 'planning',
      task: async (_ctx, wrapper) => {
        const show = (): void => {
          const s = progress.snapshot();
          wrapper.title = formatOverallLine(s);
          wrapper.output = formatTaskCounts(s);
        };
        show();
        const timer = setInterval(show, REFRESH_MS);
        timer.unref();
        try {
          await this.finished;
        } finally {
          clearInterval(timer);
        }
        const s = progress.snapshot();
        const notRun = this.notRun;
        wrapper.title = `${formatOverallLine(s)} in ${formatDuration(s.elapsedMs)}${notRun ? ` · ${formatCount(notRun.count)} not run (${notRun.reason})` : ''}`;
        if (s.projectsFailed > 0) throw new Error(`${s.projectsFailed} of ${s.projectsTotal} projects failed`);
      },
    };
    const failures: ListrTask<unknown, never, never> = {
      title: 'failures',
      rendererOptions: { outputBar: FAILURES_SHOWN, persistentOutput: true },
      task: async (_ctx: unknown, wrapper: Wrapper) => {
        this.failuresWrapper = wrapper;
        wrapper.title = this.failuresTitle();
        for (const line of this.failures.slice(-FAILURES_SHOWN)) wrapper.output = line;
        await this.finished;
        if (this.failures.length > 0) throw new Error(this.failuresTitle());
      },
    } as unknown as ListrTask<unknown, never, never>;
    const queued: ListrTask<unknown, never, never> = {
      title: this.queueTitle() || 'queued',
      // Reached only when every row above has ended: by then nothing waits.
      task: (_ctx, wrapper) => {
        wrapper.title = '';
      },
    };
    const fixed = [overall, ...this.resourceTask(), failures];
    this.drawTimer = setTimeout(() => {
      this.drawTimer = undefined;
      if (this.tasksLeft > 0) this.running = this.draw([...fixed, ...rowTasks, queued], fixed.length + rowTasks.length).catch(() => undefined);
    }, this.options.drawAfterMs ?? DRAW_AFTER_MS);
  }

  /** Loads listr2 (only now: a run that ends first never needs it) and starts drawing `tasks`, all but the last at once. */
  private async draw(tasks: ListrTask<unknown, never, never>[], concurrent: number): Promise<void> {
    const [{ Listr }, { CoalescingRenderer }] = await Promise.all([import('listr2'), import('./coalescing-renderer.js')]);
    this.list = new Listr(tasks, {
      // Every row but the last runs at once; the queue row stays "waiting" (not spinning) until the end.
      concurrent,
      exitOnError: false,
      // dailysync handles SIGINT itself: it must stop rsync and write the report before exiting.
      registerSignalListeners: false,
      // listr2's default renderer, one redraw per frame instead of one per change.
      renderer: CoalescingRenderer,
      rendererOptions: { collapseErrors: false, showErrorMessage: false, formatOutput: 'truncate' },
      collectErrors: false,
    } as never);
    this.showQueue();
    await this.list.run().catch(() => undefined);
  }

  /** The `resources` row: refreshes the live resource line until every sync task has finished. */
  private resourceTask(): ListrTask<unknown, never, never>[] {
    const line = this.options.resources;
    if (!line) return [];
    return [
      {
        title: 'resources: sampling…',
        task: async (_ctx, wrapper) => {
          const show = (): void => {
            const text = line();
            if (text !== undefined) wrapper.title = `resources: ${text}`;
          };
          const timer = setInterval(show, REFRESH_MS);
          timer.unref();
          try {
            await this.finished;
          } finally {
            clearInterval(timer);
          }
          show();
        },
      },
    ];
  }

  /**
   * Ends the view, also when the run stopped early (a refusal, a lock, an interruption or an error
   * after the plan was shown): every task that got no finish is finished as skipped with `reason`
   * (counted on the overall row, never drawn on a task row), so every listr2 task ends, the
   * renderer draws its last frame and returns (an Nx executor never hangs on it), and whatever is
   * printed next starts on a line of its own.
   */
  async close(reason = 'not run: the run stopped before this task'): Promise<void> {
    let count = 0;
    for (const task of this.queue) {
      if (this.finishedIds.has(task.id)) continue;
      count += 1;
      this.notRun = { count, reason };
      this.taskFinished(task, skippedResult(task, reason));
    }
    this.allFinished();
    // Not drawn yet: the run ended before the first frame was due, and its summary says it all.
    if (this.drawTimer !== undefined) clearTimeout(this.drawTimer);
    this.drawTimer = undefined;
    await this.done();
  }

  /** Resolves when the renderer has drawn the final state of every row. */
  async done(): Promise<void> {
    await this.running;
  }
}

/** The result a task the run never finished is closed with. */
function skippedResult(task: SyncTask, reason: string): TaskResult {
  return {
    id: task.id, project: task.project, kind: task.kind, status: 'skipped', exitCode: null, meaning: reason, error: null,
    filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0, filesTotal: 0, bytesTotal: 0,
    startedAt: null, finishedAt: null, durationMs: 0, attempts: [],
  };
}
