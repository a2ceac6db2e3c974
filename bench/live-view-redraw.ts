// Redraw cost of the live view per tick, by number of projects.
//
//   npx tsx bench/live-view-redraw.ts [--projects 10,1000,10000] [--seconds 4] [--concurrency 8] [--timeout-min 5]
//
// For each project count and each design it starts a child process whose stdout is a fake
// terminal (isTTY, 120 columns, written to /dev/null), plans that many one-file projects and feeds
// the view the events of a run (concurrency rsyncs at once, a progress event every 200 ms each, a
// task ending every 250 ms per row), with listr2's DefaultRenderer timed frame by frame:
//   current  - libs/commands ListrView: fixed rows (overall, resources, failures, running, queue)
//   per-row  - the design before: one listr2 task per project, all in the list (commit f66ab37)
// It prints frames drawn, mean and worst milliseconds to build one frame, and the CPU the
// process used per second of view. No rsync runs: this measures the renderer alone.
import { spawnSync } from 'node:child_process';
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { DefaultRenderer, Listr, type ListrTaskWrapper } from 'listr2';
import type { BackupHooks, SyncTask, TaskResult } from '@dailysync/sync';
import { ListrView } from '../libs/commands/src/sync/listr-view.js';
import { finalLine, progressLine, taskLabel } from '../libs/commands/src/sync/task-lines.js';

type Design = 'current' | 'per-row';

interface Measurement {
  design: Design;
  projects: number;
  seconds: number;
  frames: number;
  meanFrameMs: number;
  medianFrameMs: number;
  worstFrameMs: number;
  cpuMsPerSecond: number;
  tasksFinished: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

function plannedTasks(n: number): SyncTask[] {
  return Array.from({ length: n }, (_, i) => {
    const name = `project-${String(i).padStart(5, '0')}`;
    return { id: name, project: name, kind: 'project', relPath: name, excludeTopLevelDirs: [], weight: 50, estimate: { files: 1, bytes: 4096, basis: 'walk' } } as SyncTask;
  });
}

function result(task: SyncTask, startedAt: number): TaskResult {
  const now = Date.now();
  return {
    id: task.id, project: task.project, kind: task.kind, status: 'ok', exitCode: 0, meaning: 'success', error: null, attempts: [],
    filesTransferred: 1, bytesTransferred: 4096, filesDeleted: 0, filesTotal: 1, bytesTotal: 4096,
    startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(now).toISOString(), durationMs: now - startedAt,
  };
}

/** The view before this change, reduced to what costs: one listr2 task per project, each with its output. */
class PerRowView {
  private readonly finishers = new Map<string, (r: TaskResult) => void>();
  private readonly outputs = new Map<string, (text: string) => void>();
  private running: Promise<unknown> | undefined;
  hooks(): BackupHooks {
    return {
      onPlan: ({ tasks }) => {
        const list = new Listr(
          tasks.map((task) => ({
            title: taskLabel(task),
            task: async (_ctx: unknown, wrapper: ListrTaskWrapper<unknown, never, never>) => {
              this.outputs.set(task.id, (text) => (wrapper.output = text));
              wrapper.output = 'queued';
              const r = await new Promise<TaskResult>((resolve) => this.finishers.set(task.id, resolve));
              wrapper.title = finalLine(taskLabel(task), r);
            },
          })),
          { concurrent: true, exitOnError: false, registerSignalListeners: false, renderer: 'default', rendererOptions: { outputBar: 1, persistentOutput: false, collapseErrors: false } } as never,
        );
        this.running = list.run().catch(() => undefined);
      },
      onTaskStart: (task) => this.outputs.get(task.id)?.('starting rsync'),
      onTaskProgress: (task, p) => this.outputs.get(task.id)?.(progressLine(p)),
      onTaskFinish: (task, r) => this.finishers.get(task.id)?.(r),
    };
  }
  async done(): Promise<void> {
    await this.running;
  }
}

async function measure(design: Design, projects: number, seconds: number, concurrency: number): Promise<Measurement> {
  const frameMs: number[] = [];
  const create = DefaultRenderer.prototype.create;
  DefaultRenderer.prototype.create = function timedCreate(this: DefaultRenderer, ...args: Parameters<typeof create>) {
    const t0 = performance.now();
    const frame = create.apply(this, args);
    frameMs.push(performance.now() - t0);
    return frame;
  };
  const view = design === 'current' ? new ListrView({ throttleMs: 200 }) : new PerRowView();
  const hooks = view.hooks();
  const tasks = plannedTasks(projects);
  hooks.onPlan?.({ tasks, discovery: {} as never, options: { concurrency } as never });
  // listr2 loads its terminal modules before the first frame: measure from that frame on.
  const warmUntil = Date.now() + 120_000;
  while (frameMs.length === 0 && Date.now() < warmUntil) await new Promise((resolve) => setTimeout(resolve, 20));
  frameMs.length = 0;
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let next = 0;
  let finished = 0;
  const slots = Array.from({ length: concurrency }, () => ({ task: undefined as SyncTask | undefined, startedAt: 0, ticks: 0 }));
  // One simulated rsync event step every 50 ms: progress every 200 ms per running task, each ends after 250 ms.
  while (Date.now() - t0 < seconds * 1000) {
    for (const slot of slots) {
      if (slot.task === undefined && next < tasks.length) {
        slot.task = tasks[next++];
        slot.startedAt = Date.now();
        slot.ticks = 0;
        hooks.onTaskStart?.(slot.task!, 1);
      } else if (slot.task !== undefined) {
        slot.ticks += 1;
        if (slot.ticks % 4 === 0) hooks.onTaskProgress?.(slot.task, { bytes: 2048, percent: 50, bytesPerSecond: 1 << 20, attempt: 1, currentItem: 'notes.txt' });
        if (slot.ticks >= 5) {
          hooks.onTaskFinish?.(slot.task, result(slot.task, slot.startedAt));
          finished += 1;
          slot.task = undefined;
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const elapsed = (Date.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const frames = frameMs.length;
  return {
    design,
    projects,
    seconds: elapsed,
    frames,
    meanFrameMs: frames === 0 ? 0 : frameMs.reduce((a, b) => a + b, 0) / frames,
    medianFrameMs: frames === 0 ? 0 : ([...frameMs].sort((a, b) => a - b)[Math.floor(frames / 2)] ?? 0),
    worstFrameMs: frames === 0 ? 0 : Math.max(...frameMs),
    cpuMsPerSecond: (cpu.user + cpu.system) / 1000 / elapsed,
    tasksFinished: finished,
  };
}

async function child(): Promise<void> {
  // A fake terminal: listr2 picks its live renderer, log-update writes frames to /dev/null.
  Object.assign(process.stdout, { isTTY: true, columns: 120, rows: 40 });
  const m = await measure(arg('design', 'current') as Design, Number(arg('projects', '10')), Number(arg('seconds', '4')), Number(arg('concurrency', '8')));
  // listr2 hijacks process.stderr while it renders: write to the file descriptor itself.
  writeSync(2, `${JSON.stringify(m)}\n`);
  process.exit(0);
}

function main(): void {
  const counts = arg('projects', '10,1000,10000').split(',').map(Number);
  const seconds = arg('seconds', '4');
  const concurrency = arg('concurrency', '8');
  const self = fileURLToPath(import.meta.url);
  const rows: Measurement[] = [];
  for (const projects of counts) {
    for (const design of ['current', 'per-row'] as Design[]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', '--design', design, '--projects', String(projects), '--seconds', seconds, '--concurrency', concurrency], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        timeout: Number(arg('timeout-min', '5')) * 60 * 1000,
      });
      const line = r.stderr.trim().split('\n').pop() ?? '';
      try {
        rows.push(JSON.parse(line) as Measurement);
      } catch {
        process.stderr.write(`${design} ${projects}: no result (${r.error?.message ?? r.stderr.slice(-300)})\n`);
        rows.push({ design, projects, seconds: 0, frames: 0, meanFrameMs: NaN, medianFrameMs: NaN, worstFrameMs: NaN, cpuMsPerSecond: NaN, tasksFinished: 0 });
      }
    }
  }
  const fmt = (n: number, d = 2): string => n.toFixed(d);
  process.stdout.write(`live view redraw cost, ${concurrency} rsyncs at once, ${seconds} s per measurement, node ${process.version}\n`);
  process.stdout.write('| projects | design | frames | median ms/frame | mean ms/frame | worst ms/frame | CPU ms per s | tasks ended |\n|---|---|---|---|---|---|---|---|\n');
  for (const m of rows) {
    process.stdout.write(`| ${m.projects.toLocaleString('en-US')} | ${m.design} | ${m.frames} | ${fmt(m.medianFrameMs)} | ${fmt(m.meanFrameMs)} | ${fmt(m.worstFrameMs)} | ${fmt(m.cpuMsPerSecond, 0)} | ${m.tasksFinished} |\n`);
  }
}

if (process.argv.includes('--child')) await child();
else main();
