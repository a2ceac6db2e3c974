import path from 'node:path';
import { isOnLocalDisk } from '../location/local-disk.js';
import { extraMetadataLatencyMs, NETWORK_LATENCY_MS } from '../plan/latency-probe.js';
import type { Discovery } from '../discovery/discover.js';
import { defaultConcurrency, type ResolvedBackupOptions } from '../options.js';
import { readTaskHistory, recordTaskHistory, THROUGHPUT_SECTION, type TaskRecord } from '../plan/history.js';
import { planBackup, type BackupPlan, type PlanSettings } from '../plan/plan-backup.js';
import { ROOT_PROJECT, type SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';
import { readBackupState, type RunState, type StateChange } from '../state/run-state.js';

/** Planning knobs a caller may set; the defaults suit a nightly NAS backup. */
export type PlanningOptions = Partial<Omit<PlanSettings, 'concurrency'>>;

/**
 * Tasks expected to run at once: the fixed number, or where 'auto' starts. On storage that answers
 * like a network share, each rsync mostly waits for round trips, so 'auto' starts with four times
 * as many (measured on the benchmark's slow NAS: 16 streams beat 8 by a third on 2 cores); it
 * still backs off when the CPU or a disk saturates.
 */
export function planningConcurrency(options: Pick<ResolvedBackupOptions, 'concurrency'>, metadataLatencyMs = 0): number {
  if (options.concurrency !== 'auto') return options.concurrency;
  return metadataLatencyMs >= NETWORK_LATENCY_MS ? Math.min(32, 4 * defaultConcurrency()) : defaultConcurrency();
}

/**
 * Extra metadata latency of the source plus the destination, for local sides (0 for remote ones,
 * and for shards). A folder on this machine's own disks is not measured: it has none, and on a
 * busy machine a few slow lookups made it look like a NAS (four times the rsyncs, and no file sizes
 * in the plan's walk).
 */
async function measureMetadataLatency(options: ResolvedBackupOptions, destExists: boolean): Promise<number> {
  if (options.shard !== undefined) return 0; // Shards must plan the same: no measured, varying inputs.
  const latencyOf = async (dir: string): Promise<number> => ((await isOnLocalDisk(dir)) ? 0 : ((await extraMetadataLatencyMs(dir)) ?? 0));
  const source = options.sourceLocation.kind === 'local' ? await latencyOf(options.source) : 0;
  const dest = options.destLocation.kind === 'local' ? await latencyOf(destExists ? options.dest : path.dirname(options.dest)) : 0;
  return source + dest;
}

/** History of earlier runs, read from a local backup root (a remote one, or a missing one, has none to offer). */
export function readHistory(options: Pick<ResolvedBackupOptions, 'dest' | 'destLocation' | 'stateRoot'>, destExists: boolean): Promise<Map<string, TaskRecord>> {
  return historyOf(readBackupState(options, destExists));
}

/** History of earlier runs, from the backup root's state (see readBackupState: a remote or missing root has none). */
async function historyOf(state: Promise<RunState>): Promise<Map<string, TaskRecord>> {
  try {
    return readTaskHistory(await state);
  } catch {
    // History only orders the work; an unreadable state file must not stop the backup.
    return new Map();
  }
}

/**
 * Plans a run: weights from history (or a budgeted walk of a local source), oversized projects split.
 * Shards must all plan the same list, so for them the walk has no time limit (a count limit is
 * deterministic) and history, which the first shard to finish may already have changed, is not used.
 */
export async function planRun(
  options: ResolvedBackupOptions,
  discovery: Discovery,
  destExists: boolean,
  planning: PlanningOptions = {},
  /** The backup root's state, when the caller has already asked for it (readBackupState); read here otherwise. */
  state?: Promise<RunState>,
): Promise<BackupPlan> {
  const sharded = options.shard !== undefined;
  const metadataLatencyMs = await measureMetadataLatency(options, destExists);
  return planBackup({
    sourceRoot: options.sourceLocation.kind === 'local' ? options.source : undefined,
    discovery,
    history: sharded ? new Map() : await historyOf(state ?? readBackupState(options, destExists)),
    settings: {
      ...(sharded ? { estimateMs: Number.POSITIVE_INFINITY, deterministicWalk: true } : {}),
      metadataLatencyMs,
      sourceOnLocalDisk: options.sourceLocation.kind === 'local' && (await isOnLocalDisk(options.source)),
      ...(options.bwlimitKiB > 0 ? { bwlimitBytesPerSec: options.bwlimitKiB * 1024 } : {}),
      ...planning,
      // A daemon reports only the items it changed (its "max verbosity" caps --info=name2), so a
      // batch could not attribute unchanged files to their projects: one rsync per project there.
      ...(options.destLocation.kind === 'daemon' ? { batchBelowMs: 0 } : {}),
      concurrency: planningConcurrency(options, metadataLatencyMs),
    },
  });
}

/**
 * What each finished task measured, for the next run's plan, as a change of the state (the run
 * writes it with the rest of its state at its end: SafeRun.finish); undefined when a run keeps no
 * history (a dry run, a remote backup root).
 */
export function historyChange(
  options: ResolvedBackupOptions,
  discovery: Discovery,
  tasks: readonly SyncTask[],
  results: ReadonlyMap<string, TaskResult>,
): StateChange | undefined {
  if (options.dryRun || options.destLocation.kind !== 'local') return undefined;
  const existing = new Set([ROOT_PROJECT, ...discovery.projects.map((p) => p.name)]);
  return (state) => ({ [THROUGHPUT_SECTION]: recordTaskHistory(state, tasks, results, existing) });
}
