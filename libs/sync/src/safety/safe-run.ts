import os from 'node:os';
import path from 'node:path';
import type { Discovery } from '../discovery/discover.js';
import { InterruptedError, SafetyError } from '../errors.js';
import { stateRootOf, type ResolvedBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import type { BackupReport } from '../report/types.js';
import { getSection, readBackupState, STATE_DIR_NAME, stateDir, updateRunState, type RunState, type StateChange } from '../state/run-state.js';
import {
  checkDestFilesystem,
  checkMarkers,
  checkSourceMountUnchanged,
  checkSourceShrink,
  mountOf,
  type MountInfo,
  type SourceSnapshot,
} from './guards.js';
import { realPathOrAncestor } from '../preflight.js';
import { acquireLock, lockFile, type HeldLock, type LockInfo } from './lock.js';
import { checkDeletionBudget, forecastDeletions } from './max-delete.js';
import { removeDeadRunTempDirs, stopLeftoverRsync } from './recover.js';
import { countSourceEntries } from './count-entries.js';
import { isOnLocalDisk } from '../location/local-disk.js';
import { DEFAULT_SAFETY_OPTIONS } from './safety-options.js';

/** The run-state section the guards own. */
export const SAFETY_SECTION = 'safety';

interface SafetyState {
  /** The last good run per selection (include/exclude/shard), so shards and narrowed runs do not mix. */
  lastGoodRuns: Record<string, SourceSnapshot & { finishedAt: string }>;
}

function lastGoodRun(state: RunState, selection: string): Partial<SourceSnapshot> | undefined {
  return getSection<SafetyState>(state, SAFETY_SECTION)?.lastGoodRuns?.[selection];
}

/** What the guards did, for the report. */
export interface SafetyReport {
  /** The lock of a run that died (SIGKILL, power loss) that this run took over. */
  lockTakenOverFrom: LockInfo | null;
  /** rsync processes of that dead run still copying, stopped before this run started. */
  leftoverRsyncStopped: number;
  /** rsync temporary files dead runs left in their own temporary folders (`.dailysync/tmp/...`), removed. */
  tempFilesRemoved: string[];
  /** Deletions the dry-run pass counted before the real run (null when not counted). */
  deletionForecast: { deletions: number; backupEntries: number } | null;
}

export interface GuardFacts {
  state: RunState;
  sourceMount: MountInfo | null;
  /** Entries of a local source counted by listing folders (with --delete and the shrink guard on), else null. */
  sourceEntries: number | null;
}

function selectionKey(options: ResolvedBackupOptions): string {
  return JSON.stringify({ include: options.include, exclude: options.exclude, shard: options.shard ?? null });
}

/**
 * Read-only guards, run after discovery and before anything is written: empty source, marker
 * files, the backup's filesystem, and a source now on another mount than at the last good run.
 */
export async function checkBeforeWriting(
  options: ResolvedBackupOptions,
  discovery: Discovery,
  destExists: boolean,
  /** Projects whose entries the plan's walks already counted (BackupPlan.walkedProjectEntries). */
  walkedProjectEntries?: ReadonlyMap<string, number>,
  /** The backup root's state, when the caller has already asked for it (readBackupState); read here otherwise. */
  stateRead?: Promise<RunState>,
): Promise<GuardFacts> {
  const safety = options.safety ?? DEFAULT_SAFETY_OPTIONS;
  const localSource = options.sourceLocation.kind === 'local';
  const localDest = options.destLocation.kind === 'local';
  if (options.delete && discovery.projects.length === 0 && discovery.rootEntries.length === 0) {
    throw new SafetyError(`--source ${options.source} is empty and --delete is on: this would empty the backup; check that the source is mounted (run without --delete to copy nothing)`);
  }
  if (discovery.projects.some((p) => p.selected && p.name === STATE_DIR_NAME)) {
    throw new SafetyError(`--source ${options.source} has a ${STATE_DIR_NAME} folder, which would overwrite the backup's own state and lock: add --exclude ${STATE_DIR_NAME}`);
  }
  await checkMarkers(options.source, options.dest, localSource ? safety.sourceMarker : null, localDest ? safety.destMarker : null);
  if (localDest) await checkDestFilesystem(options.dest, safety.destFsTypes);
  const state = await (stateRead ?? readBackupState(options, destExists));
  const last = lastGoodRun(state, selectionKey(options));
  const sourceMount = localSource ? await mountOf(options.source) : null;
  if (sourceMount) checkSourceMountUnchanged(options.source, sourceMount, last, options.delete);
  // A local source is counted by listing its folders: far cheaper than a dry run of every task
  // (one round trip per folder, not several per file), so the nightly no-change run stays fast;
  // the projects the plan's walks have just counted (all of them on the first night, the ones big
  // enough to split on later nights) are not listed again.
  let sourceEntries: number | null = null;
  if (localSource && options.delete && safety.maxShrinkPercent < 100) {
    sourceEntries = await countSourceEntries(options.source, discovery, walkedProjectEntries, await isOnLocalDisk(options.source));
    checkSourceShrink(options.source, sourceEntries, last, selectionKey(options), safety.maxShrinkPercent, true, 'listing');
  }
  return { state, sourceMount, sourceEntries };
}

export interface SafeRun {
  report: SafetyReport;
  /**
   * With a --max-delete budget: the deletions counted per task before the run. Each real rsync
   * gets its count as rsync's own --max-delete, so a source that changes between the count and
   * the copy (an unmount half way) cannot delete more than was checked.
   */
  deletionCaps?: ReadonlyMap<string, number>;
  /**
   * Records the run in the state (when it was good), with `also`'s sections in the same write (a
   * failure to write them alone is ignored), and releases the lock.
   */
  finish: (report: BackupReport | null, also?: StateChange) => Promise<void>;
}

/** The state's record of a good run: what the next run's --max-shrink check compares against. */
function goodRun(backup: BackupReport, facts: GuardFacts, options: ResolvedBackupOptions): SafetyState['lastGoodRuns'] {
  const selection = selectionKey(options);
  return {
    [selection]: {
      files: facts.sourceEntries ?? backup.projects.reduce((sum, p) => sum + p.filesTotal, 0),
      countedBy: facts.sourceEntries === null ? 'rsync' : 'listing',
      fsType: facts.sourceMount?.fsType ?? 'remote',
      mountSource: facts.sourceMount?.mountSource ?? options.source,
      selection,
      finishedAt: backup.finishedAt,
    },
  };
}

/** Where the lock of a pair lives: in the backup root, or locally when the backup is remote. */
function lockDirectory(options: ResolvedBackupOptions): string {
  return options.destLocation.kind === 'local' ? stateDir(stateRootOf(options)) : path.join(os.tmpdir(), 'dailysync-locks');
}

/**
 * After the backup root exists: takes the pair's lock (exit 75 when another run holds it),
 * cleans up after a dead run, then counts deletions with a dry run and refuses the whole run
 * when over --max-delete or when the source shrank more than --max-shrink.
 */
export async function startSafeRun(
  options: ResolvedBackupOptions,
  tasks: readonly SyncTask[],
  concurrency: () => number,
  facts: GuardFacts,
  signal?: AbortSignal,
): Promise<SafeRun> {
  const safety = options.safety ?? DEFAULT_SAFETY_OPTIONS;
  const report: SafetyReport = { lockTakenOverFrom: null, leftoverRsyncStopped: 0, tempFilesRemoved: [], deletionForecast: null };
  let deletionCaps: Map<string, number> | undefined;
  // Dry runs write nothing, so they neither wait for nor block a real run.
  if (options.dryRun) return { report, finish: async () => undefined };
  // Shards of one run work on disjoint tasks of the same pair at once: each has its own lock.
  // The key is made from real paths, so `/data/x/../src` and a symlink to it lock the same pair.
  const lockSource = options.sourceLocation.kind === 'local' ? await realPathOrAncestor(options.source) : options.source;
  const lockDest = options.destLocation.kind === 'local' ? await realPathOrAncestor(options.dest) : options.dest;
  const pair = options.shard === undefined ? lockSource : `${lockSource}\0shard ${options.shard.index}/${options.shard.count}`;
  const lock: HeldLock = await acquireLock(options.source, options.dest, lockFile(pair, lockDest, lockDirectory(options)));
  try {
    if (lock.tookOverFrom) {
      report.lockTakenOverFrom = lock.tookOverFrom;
      report.leftoverRsyncStopped = (await stopLeftoverRsync(options.source, options.dest)).length;
    }
    // Only the temporary folders of dead runs: provably rsync's own files, never the user's.
    if (options.destLocation.kind === 'local') report.tempFilesRemoved = await removeDeadRunTempDirs(options.dest);
    const last = lastGoodRun(facts.state, selectionKey(options));
    // A remote source cannot be listed here: its entries are counted by the dry-run pass.
    const shrinkCheck = facts.sourceEntries === null && safety.maxShrinkPercent < 100 && last?.files !== undefined;
    if (options.delete && (safety.maxDelete !== null || shrinkCheck)) {
      const forecast = await forecastDeletions(tasks, options, concurrency, signal);
      if (signal?.aborted) throw new InterruptedError('interrupted while counting deletions for --max-delete: nothing was written');
      report.deletionForecast = { deletions: forecast.deletions, backupEntries: forecast.backupEntries };
      checkDeletionBudget(forecast, safety.maxDelete);
      if (safety.maxDelete !== null) deletionCaps = new Map(forecast.perTask.map((t) => [t.id, t.deletions]));
      if (forecast.failed.length === 0 && shrinkCheck) checkSourceShrink(options.source, forecast.sourceEntries, last, selectionKey(options), safety.maxShrinkPercent, true, 'rsync');
    }
  } catch (error) {
    await lock.release();
    throw error;
  }
  return {
    report,
    deletionCaps,
    finish: async (backup, also) => {
      try {
        const good = backup !== null && backup.ok && !backup.interrupted;
        if (options.destLocation.kind !== 'local' || (!good && also === undefined)) return;
        const recorded = updateRunState(stateRootOf(options), (state) => ({
          ...also?.(state),
          ...(good ? { [SAFETY_SECTION]: { lastGoodRuns: { ...getSection<SafetyState>(state, SAFETY_SECTION)?.lastGoodRuns, ...goodRun(backup, facts, options) } } } : {}),
        }));
        // Without a good run to record, the state gets only what `also` brings (a hint such as the
        // history), whose loss must not fail the run.
        await (good ? recorded : recorded.catch(() => undefined));
      } finally {
        await lock.release();
      }
    },
  };
}
