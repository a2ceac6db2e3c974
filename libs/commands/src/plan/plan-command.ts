import { formatBytes, formatDuration, parseConcurrency, planOnly, printableName, type PlanOnlyResult, type SyncTask } from '@dailysync/sync';
import { reportCommandError } from '../command-error.js';
import { withConfigFile } from '../config/with-config-file.js';

/** Options of `dailysync plan` and of the Nx `plan` executor. */
export interface PlanCommandOptions {
  source?: string;
  dest?: string;
  concurrency?: number | string;
  include?: string[] | string;
  exclude?: string[] | string;
  shard?: string;
  /** rsync --bwlimit per process in KiB/s, as the sync would use: the estimate honours it. */
  bwlimit?: number;
  /** Projects estimated below this many ms of work share one rsync; 0: one rsync each. */
  batchBelow?: number;
  /** Print the plan as JSON instead of a table. */
  json?: boolean;
  /** Read options from this dailysync.config.json; options given here override its values. */
  config?: string;
}

export interface PlanCommandContext {
  /** Where a relative config path is resolved (default: the working directory). */
  cwd?: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

function taskName(task: SyncTask): string {
  if (task.kind === 'batch') return `${task.id}: ${task.projects?.length ?? 0} small projects`;
  if (task.kind === 'project-top') return `${printableName(task.project)} (top level)`;
  const excluded = task.kind === 'subtree' && task.excludeTopLevelDirs !== 'all' && task.excludeTopLevelDirs.length > 0;
  return `${printableName(task.id)}${excluded ? ' (top level)' : ''}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** The plan as text: one row per task in start order, then what it adds up to. */
export function formatPlan(result: PlanOnlyResult): string {
  const { plan, discovery, options } = result;
  const shard = result.shardTaskIds ? new Set(result.shardTaskIds) : undefined;
  // Every figure here is an estimate; a split part's files and size are its share of the project's, marked "~".
  const rows = [['#', 'task', 'kind', 'est. files', 'est. size', 'est. time', 'based on', 'leaves to other tasks']];
  plan.tasks.forEach((t, i) => {
    const excluded =
      t.kind === 'batch' ? 'everything but its projects' : t.excludeTopLevelDirs === 'all' ? 'all folders' : t.excludeTopLevelDirs.map(printableName).join(', ');
    rows.push([
      String(i + 1) + (shard && !shard.has(t.id) ? ' (other shard)' : ''),
      taskName(t),
      t.kind,
      t.estimate ? `${t.estimate.scaled ? '~' : ''}${t.estimate.files}` : '?',
      t.estimate ? `${t.estimate.scaled ? '~' : ''}${formatBytes(t.estimate.bytes)}` : '?',
      formatDuration(Math.round(t.weight)),
      t.estimate?.basis ?? '-',
      excluded,
    ]);
  });
  const selected = discovery.projects.filter((p) => p.selected).length;
  const split = new Set(plan.tasks.filter((t) => t.kind === 'project-top').map((t) => t.project)).size;
  const skipped = discovery.projects.filter((p) => !p.selected).map((p) => printableName(p.name));
  const lines = [
    `Plan for ${options.source} -> ${options.dest} (nothing was written)`,
    '',
    table(rows),
    '',
    `${plan.tasks.length} rsync tasks for ${selected} projects${discovery.rootSelected ? ' and the root entries' : ''}; ${split} project(s) split (above ${formatDuration(Math.round(plan.splitThresholdMs))} of work each).`,
    `Estimated: ${formatDuration(Math.round(plan.totalWorkMs))} of work, about ${formatDuration(Math.round(plan.estimatedMs))} with ${plan.concurrency} at once${options.concurrency === 'auto' ? ' (auto starts there and adapts)' : ''}.`,
  ];
  if (plan.tasks.some((t) => t.estimate?.scaled)) lines.push('~ marks a part of a split project: its share of the project\'s files and size, estimated from its cost, not counted.');
  if (options.bwlimitKiB > 0) lines.push(`Each rsync is held to --bwlimit ${options.bwlimitKiB} KiB/s: no task is estimated faster than its bytes at that rate.`);
  if (plan.tasks.some((t) => t.estimate?.basis === 'walk-partial')) lines.push('Some sizes are lower bounds: the estimate walk ran out of its budget.');
  if (plan.tasks.some((t) => t.estimate?.basis === 'none')) lines.push('Some sizes are unknown: a remote source is not walked; they are measured by the first backup.');
  if (skipped.length > 0) lines.push(`Not selected: ${skipped.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}

/** `dailysync plan`: prints what a sync would do. Reads the source and the backup's state; writes nothing. Never throws. */
export async function runPlanCommand(options: PlanCommandOptions, ctx: PlanCommandContext = {}): Promise<{ exitCode: number; result?: PlanOnlyResult }> {
  const out = ctx.stdout ?? process.stdout;
  const err = ctx.stderr ?? process.stderr;
  try {
    options = await withConfigFile('plan', options, ctx.cwd ?? process.cwd());
    const result = await planOnly({
      source: options.source ?? '',
      dest: options.dest ?? '',
      concurrency: parseConcurrency(options.concurrency),
      include: typeof options.include === 'string' ? [options.include] : options.include,
      exclude: typeof options.exclude === 'string' ? [options.exclude] : options.exclude,
      ...(options.shard === undefined ? {} : { shard: options.shard }),
      ...(options.bwlimit === undefined ? {} : { bwlimitKiB: options.bwlimit }),
      ...(options.batchBelow === undefined ? {} : { planning: { batchBelowMs: options.batchBelow } }),
    });
    if (options.json) {
      const { plan, shardTaskIds } = result;
      // The plan as it is, less what the run keeps from the walk for itself (the guard's per-project
      // counts, the folder lookups for the comparison after the copy: Maps, which JSON cannot show).
      const { walkedProjectEntries: _guardCounts, walkedFolders: _folderLookups, ...shown } = plan;
      out.write(`${JSON.stringify({ source: result.options.source, dest: result.options.dest, ...shown, ...(shardTaskIds ? { shardTaskIds } : {}) }, null, 2)}\n`);
    } else {
      out.write(formatPlan(result));
    }
    return { exitCode: 0, result };
  } catch (error) {
    return { exitCode: reportCommandError(error, err) };
  }
}
