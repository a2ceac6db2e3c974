import { Listr, type ListrTaskWrapper } from 'listr2';
import { formatBytes, formatDuration, printableName, type BackupHooks, type SyncTask, type TaskProgress, type TaskResult } from '@dailysync/sync';

export interface ListrViewOptions {
  /** 'tty' draws the live renderer; 'plain' prints one line per event (CI logs, pipes). */
  mode: 'tty' | 'plain';
  /** Minimum time between two output updates of one task; plain logs want far fewer lines. */
  throttleMs: number;
  stream: NodeJS.WriteStream | NodeJS.WritableStream;
  /** Live resource line (e.g. @dailysync/metrics' formatLiveLine), shown as an extra task while rsyncs run. */
  resources?: () => string | undefined;
}

/** How often the resource line changes: every second live, at most every 30 s in plain logs. */
const RESOURCE_LINE_MS = { tty: 1000, plain: 30000 } as const;

interface TaskSlot {
  output?: (text: string) => void;
  lastOutputAt: number;
  finished: Promise<TaskResult>;
  finish: (r: TaskResult) => void;
}

function progressLine(p: TaskProgress): string {
  const percent = `${p.percent}%`;
  const rate = p.bytesPerSecond > 0 ? `${formatBytes(p.bytesPerSecond)}/s` : '';
  const listing = p.toCheck && !p.toCheck.listComplete ? 'scanning' : '';
  const item = p.currentItem ? printableName(p.currentItem) : '';
  const retry = p.attempt > 1 ? `attempt ${p.attempt}` : '';
  return [percent, formatBytes(p.bytes), rate, listing, retry, item].filter((s) => s !== '').join('  ');
}

export function finalLine(label: string, r: TaskResult): string {
  const base = `${label}: ${r.filesTransferred} files, ${formatBytes(r.bytesTransferred)}`;
  const deleted = r.filesDeleted > 0 ? `, ${r.filesDeleted} deleted` : '';
  return `${base}${deleted} in ${formatDuration(r.durationMs)}${r.status === 'warning' ? ` (warning: ${r.meaning})` : ''}`;
}

/** `alpha` for a whole project; `alpha › sub/dir` or `alpha › (top level)` for the parts of a split one. */
export function taskLabel(task: SyncTask): string {
  if (task.kind === 'batch') return `${task.id} · ${task.projects?.length ?? 0} small projects`;
  if (task.kind === 'project-top') return `${printableName(task.project)} › (top level)`;
  if (task.kind !== 'subtree') return printableName(task.id);
  const inside = task.relPath.slice(task.project.length + 1);
  const top = task.excludeTopLevelDirs !== 'all' && task.excludeTopLevelDirs.length > 0 ? ' (top level)' : '';
  return `${printableName(task.project)} › ${printableName(inside)}${top}`;
}

/** Parts of a split project listed together under its first (largest) part; otherwise the start order. */
export function groupedByProject(tasks: readonly SyncTask[]): SyncTask[] {
  const groups = new Map<string, SyncTask[]>();
  for (const t of tasks) groups.set(t.project, [...(groups.get(t.project) ?? []), t]);
  return [...groups.values()].flatMap((parts) => [...parts].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0)));
}

/**
 * Shows one listr2 task per sync task, all at once; each task's output is its rsync's live progress.
 * The engine schedules the work, the view only mirrors it through BackupHooks.
 */
export class ListrView {
  private readonly slots = new Map<string, TaskSlot>();
  private running: Promise<unknown> | undefined;

  constructor(private readonly options: ListrViewOptions) {}

  hooks(): BackupHooks {
    return {
      onPlan: ({ tasks }) => this.start(tasks),
      onTaskStart: (task, attempt) => this.update(task, attempt > 1 ? `retrying (attempt ${attempt})` : 'starting rsync', true),
      onTaskProgress: (task, progress) => this.update(task, progressLine(progress), false),
      onTaskFinish: (task, result) => this.slots.get(task.id)?.finish(result),
    };
  }

  private update(task: SyncTask, text: string, force: boolean): void {
    const slot = this.slots.get(task.id);
    if (!slot?.output) return;
    const now = Date.now();
    if (!force && now - slot.lastOutputAt < this.options.throttleMs) return;
    slot.lastOutputAt = now;
    slot.output(text);
  }

  private start(tasks: SyncTask[]): void {
    for (const task of tasks) {
      let finish!: (r: TaskResult) => void;
      const finished = new Promise<TaskResult>((resolve) => (finish = resolve));
      this.slots.set(task.id, { lastOutputAt: 0, finished, finish });
    }
    const list = new Listr(
      [...this.resourceTask(), ...groupedByProject(tasks).map((task) => ({
        title: taskLabel(task),
        task: async (_ctx: unknown, wrapper: ListrTaskWrapper<unknown, never, never>) => {
          const slot = this.slots.get(task.id);
          if (!slot) return;
          const label = taskLabel(task);
          // Plain logs print outputs without their task title, so each line names its task there.
          slot.output = this.options.mode === 'tty' ? (text) => (wrapper.output = text) : (text) => (wrapper.output = `${label}: ${text}`);
          if (this.options.mode === 'tty') wrapper.output = 'queued';
          const result = await slot.finished;
          if (result.status === 'skipped') return wrapper.skip(`${label}: ${result.meaning}`);
          if (result.status === 'failed' || result.status === 'interrupted') {
            wrapper.title = `${label}: ${result.status}`;
            throw new Error(result.error ?? result.meaning);
          }
          wrapper.title = finalLine(label, result);
        },
      }))],
      {
        concurrent: true,
        exitOnError: false,
        // dailysync handles SIGINT itself: it must stop rsync and write the report before exiting.
        registerSignalListeners: false,
        renderer: this.options.mode === 'tty' ? 'default' : 'simple',
        fallbackRenderer: 'simple',
        fallbackRendererCondition: this.options.mode !== 'tty',
        rendererOptions: { outputBar: 1, persistentOutput: false, collapseErrors: false },
        collectErrors: false,
      } as never,
    );
    this.running = list.run().catch(() => undefined);
  }

  /** The `resources` task: refreshes the live resource line until every sync task has finished. */
  private resourceTask(): Array<{ title: string; task: (ctx: unknown, wrapper: ListrTaskWrapper<unknown, never, never>) => Promise<void> }> {
    const line = this.options.resources;
    if (!line) return [];
    const allFinished = Promise.all([...this.slots.values()].map((s) => s.finished));
    return [
      {
        title: 'resources',
        task: async (_ctx, wrapper) => {
          const prefix = this.options.mode === 'tty' ? '' : 'resources: ';
          const show = (): void => {
            const text = line();
            if (text !== undefined) wrapper.output = `${prefix}${text}`;
          };
          const timer = setInterval(show, RESOURCE_LINE_MS[this.options.mode]);
          timer.unref();
          if (this.options.mode === 'tty') wrapper.output = 'sampling…';
          try {
            await allFinished;
          } finally {
            clearInterval(timer);
          }
          const last = line();
          if (last !== undefined) wrapper.title = `resources: ${last}`;
        },
      },
    ];
  }

  /**
   * Ends the view when the run stopped early (a refusal or an error after the plan): tasks that got
   * no finish are shown skipped with `reason`, so the renderer can draw its last frame and return.
   */
  async close(reason: string): Promise<void> {
    for (const [id, slot] of this.slots) {
      slot.finish({
        id, project: id, kind: 'project', status: 'skipped', exitCode: null, meaning: reason, error: null,
        filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0, filesTotal: 0, bytesTotal: 0,
        startedAt: null, finishedAt: null, durationMs: 0, attempts: [],
      });
    }
    await this.done();
  }

  /** Resolves when the renderer has drawn the final state of every task. */
  async done(): Promise<void> {
    await this.running;
  }
}
