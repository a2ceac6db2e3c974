import fs from 'node:fs/promises';
import path from 'node:path';
import type { Discovery } from '../discovery/discover.js';
import { runQueue } from '../engine/queue.js';
import { MainThreadSlices } from '../location/local-disk.js';
import { estimateTree, type DirEstimate, type FolderAttributes, type WalkBudget } from './estimate.js';
import { historySize, type TaskRecord } from './history.js';
import { NETWORK_LATENCY_MS } from './latency-probe.js';
import { canShareRsync, DEFAULT_BATCH_SETTINGS, packBatches, type BatchCandidate } from './batch.js';
import { splitProject } from './split.js';
import { ROOT_PROJECT, ROOT_TASK_ID, type SyncTask, type TaskEstimate } from './task.js';

/** Throughput assumed for work without history; calibrated by history when there is some. */
export interface Rate {
  bytesPerSecond: number;
  filesPerSecond: number;
}

export const DEFAULT_RATE: Rate = { bytesPerSecond: 100 * 1024 * 1024, filesPerSecond: 2000 };

export interface PlanSettings {
  /** Tasks expected to run at once: a project costing more than total/concurrency is split. */
  concurrency: number;
  /** The source lies on this machine's disks (isOnLocalDisk): the walk looks up on the main thread, in slices. */
  sourceOnLocalDisk?: boolean;
  /** Projects estimated below this never split (an rsync per part costs its own startup, tens of ms). Default 1 s. */
  minSplitMs?: number;
  /**
   * Extra time of one metadata operation on the source plus on the destination (see
   * extraMetadataLatencyMs); every file costs several such round trips on each side. Default 0.
   */
  metadataLatencyMs?: number;
  /** How deep below a project splitting may go. Default 3. */
  maxSplitDepth?: number;
  /** Budget of the estimate walk across all projects: entries and milliseconds. Defaults 2,000,000 and 30 s. */
  estimateEntries?: number;
  estimateMs?: number;
  rate?: Rate;
  /** Walk one folder at a time, so that every shard counts the same entries (see EstimateOptions). Default false. */
  deterministicWalk?: boolean;
  /** Projects estimated below this many ms share rsync tasks (plan/batch.ts); 0: one rsync per project. Default 1,000 ms. */
  batchBelowMs?: number;
  /** Most projects one shared rsync task names. Default 500. */
  batchMaxProjects?: number;
  /** rsync --bwlimit per process, bytes/s: no task moves its bytes faster. 0 or absent: no limit. */
  bwlimitBytesPerSec?: number;
}

export interface BackupPlan {
  /** In start order: largest estimated work first. */
  tasks: SyncTask[];
  /** Sum of all task estimates and the expected wall time at `concurrency` (greedy list schedule). */
  totalWorkMs: number;
  estimatedMs: number;
  concurrency: number;
  /** Cost above which a project was split. */
  splitThresholdMs: number;
  /**
   * Entries of each project this plan's walks counted whole (the folder and everything below it,
   * links not followed): the shrink guard (countSourceEntries) lists only the other projects
   * instead of walking the tree a second time. A project is absent when it was not walked (sized
   * from history and too small to split), its walk was cut short by the budget, or a folder in it
   * has a name that is not valid UTF-8.
   */
  walkedProjectEntries: ReadonlyMap<string, number>;
  /**
   * Each walked project's folder as the walk looked it up (walks on this machine's disks only): the
   * folder comparison after the copy takes the source side from here (FoldersComparedEarly).
   */
  walkedFolders: ReadonlyMap<string, FolderAttributes>;
}

interface ProjectSize {
  files: number;
  bytes: number;
  ms: number;
  basis: TaskEstimate['basis'];
  tree?: DirEstimate;
}

/** Sizes of the files at the top of the source root (the root task copies them); directories count 0. */
async function rootEntriesBytes(sourceRoot: string, names: readonly string[]): Promise<number> {
  const sizes = await Promise.all(names.map((n) => fs.lstat(path.join(sourceRoot, n)).then((s) => (s.isDirectory() ? 0 : s.size), () => 0)));
  return sizes.reduce((a, b) => a + b, 0);
}

/**
 * Metadata round trips rsync makes per copied file, on each side together (lookup, open, read,
 * create the temp file, write, set times and modes, rename). Measured on the benchmark's slow
 * NAS: about 20 ms per new file at 1 ms per operation on both sides.
 */
export const METADATA_OPS_PER_FILE = 10;

export function modelMs(files: number, bytes: number, rate: Rate, metadataLatencyMs = 0): number {
  return 1000 * (bytes / rate.bytesPerSecond + files / rate.filesPerSecond) + files * METADATA_OPS_PER_FILE * metadataLatencyMs;
}

/** How much slower (or faster) earlier runs were than the default rate says; 1 without history. */
function calibration(history: ReadonlyMap<string, TaskRecord>, rate: Rate, metadataLatencyMs: number): number {
  let measured = 0;
  let modelled = 0;
  for (const r of history.values()) {
    if (r.durationMs <= 0 || r.files + r.bytes <= 0) continue;
    measured += r.durationMs;
    modelled += modelMs(r.files, r.bytes, rate, metadataLatencyMs);
  }
  if (measured === 0 || modelled === 0) return 1;
  return Math.min(100, Math.max(0.01, measured / modelled));
}

/** Longest-first list schedule: when the last of `tasks` would finish with `slots` running at once. */
export function scheduleMs(weights: readonly number[], slots: number): number {
  const ends = new Array<number>(Math.max(1, slots)).fill(0);
  for (const w of weights) {
    let min = 0;
    for (let i = 1; i < ends.length; i++) if ((ends[i] ?? 0) < (ends[min] ?? 0)) min = i;
    ends[min] = (ends[min] ?? 0) + w;
  }
  return Math.max(...ends);
}

/** Projects walked at once: a NAS answers several walkers much faster than one (latency-bound). */
const CONCURRENT_WALKS = 8;

/**
 * Walks each project that needs it, several at once. Each gets an equal, fixed share of the entry
 * budget, so a huge project cannot starve the others and the counts do not depend on which walk
 * ran faster (shards must all plan the same); all share the deadline.
 */
async function walkProjects(
  source: string,
  names: readonly string[],
  settings: Required<Pick<PlanSettings, 'estimateEntries' | 'estimateMs' | 'maxSplitDepth' | 'deterministicWalk'>>,
  sizes: boolean,
  localDisk: MainThreadSlices | undefined,
): Promise<Map<string, DirEstimate>> {
  const results = new Map<string, DirEstimate>();
  const deadline = Date.now() + settings.estimateMs;
  const share = Math.floor(settings.estimateEntries / Math.max(1, names.length));
  // Joined with a plain `/`: names come from the root's listing (no `/`, `.` or `..`), and
  // path.join normalizes the whole path again for each (10 ms of 2,000 projects' walk).
  const base = source.endsWith('/') ? source : `${source}/`;
  const walkOne = async (name: string): Promise<void> => {
    const budget: WalkBudget = { entriesLeft: share, deadline };
    results.set(name, await estimateTree(base + name, { maxDepth: settings.maxSplitDepth, budget, sizes, concurrentSubdirs: settings.deterministicWalk ? 1 : undefined, localDisk }));
  };
  // Here every walk runs on the main thread: one after another.
  if (localDisk) for (const name of names) await walkOne(name);
  else await runQueue(names, () => CONCURRENT_WALKS, walkOne);
  // In the order asked, whatever order the walks finished in.
  return new Map(names.map((name) => [name, results.get(name) as DirEstimate]));
}

/**
 * Decides the tasks of a run: sizes from history (or a budgeted walk when there is none), oversized
 * projects split by subdirectory, largest first. Reads the source only; writes nothing.
 */
export async function planBackup(input: {
  /** Local path of the source root to walk for estimates; undefined for a remote source (history only). */
  sourceRoot: string | undefined;
  discovery: Discovery;
  history: ReadonlyMap<string, TaskRecord>;
  settings: PlanSettings;
}): Promise<BackupPlan> {
  const { sourceRoot, discovery, history } = input;
  const settings = {
    minSplitMs: 1_000,
    deterministicWalk: false,
    metadataLatencyMs: 0,
    maxSplitDepth: 3,
    estimateEntries: 2_000_000,
    estimateMs: 30_000,
    rate: DEFAULT_RATE,
    ...DEFAULT_BATCH_SETTINGS,
    ...input.settings,
  };
  const concurrency = Math.max(1, settings.concurrency);
  const localDisk = settings.sourceOnLocalDisk ? new MainThreadSlices() : undefined;
  const factor = calibration(history, settings.rate, settings.metadataLatencyMs);
  const costOf = (files: number, bytes: number): number => modelMs(files, bytes, settings.rate, settings.metadataLatencyMs) * factor;

  // A project whose name is not valid UTF-8 cannot be named in rsync's argv: the root pass copies it.
  const selected = discovery.projects.filter((p) => p.selected && p.rawName === undefined).map((p) => p.name);
  const sizes = new Map<string, ProjectSize>();
  const unknown: string[] = [];
  for (const name of selected) {
    const h = historySize(history, name, name);
    if (h) sizes.set(name, { files: h.files, bytes: h.bytes, ms: h.durationMs, basis: 'history' });
    else unknown.push(name);
  }
  if (sourceRoot === undefined) {
    for (const name of unknown) sizes.set(name, { files: 0, bytes: 0, ms: 0, basis: 'none' });
  } else {
    // On network-like storage an lstat per file for its size is a round trip each (6 s of a 26 s
    // first run on the benchmark's slow NAS): file counts from the listings must do there, and
    // history brings the bytes from the next run on.
    const withSizes = settings.metadataLatencyMs < NETWORK_LATENCY_MS;
    for (const [name, tree] of await walkProjects(sourceRoot, unknown, settings, withSizes, localDisk)) {
      sizes.set(name, { files: tree.files, bytes: tree.bytes, ms: costOf(tree.files, tree.bytes), basis: tree.complete ? 'walk' : 'walk-partial', tree });
    }
  }

  // No rsync moves its bytes faster than its --bwlimit: sizes, splits and batches (a batch is one
  // rsync, so one limit for all its projects) are judged with that floor.
  const bwlimit = settings.bwlimitBytesPerSec ?? 0;
  const atLeastBwlimit = (ms: number, bytes: number): number => (bwlimit > 0 ? Math.max(ms, (1000 * bytes) / bwlimit) : ms);
  for (const s of sizes.values()) s.ms = atLeastBwlimit(s.ms, s.bytes);
  const total = [...sizes.values()].reduce((sum, s) => sum + s.ms, 0);
  const threshold = Math.max(total / concurrency, settings.minSplitMs);
  // Projects sized from history are walked only when they are big enough to split, and only for
  // their folder structure and file counts: history already knows their bytes.
  const toWalk = selected.filter((name) => {
    const s = sizes.get(name);
    return s !== undefined && s.tree === undefined && s.ms > threshold;
  });
  for (const [name, tree] of sourceRoot === undefined ? [] : await walkProjects(sourceRoot, toWalk, settings, false, localDisk)) {
    const s = sizes.get(name);
    if (s) s.tree = tree;
  }

  // Small projects share rsync tasks; only sizes actually known (not a walk that ran out of budget).
  const batchBelow = Math.min(settings.batchBelowMs, threshold);
  const candidates: BatchCandidate[] = [];
  for (const name of selected) {
    const s = sizes.get(name) as ProjectSize;
    if ((s.basis === 'history' || s.basis === 'walk') && s.ms < batchBelow && canShareRsync(name)) candidates.push({ name, ms: s.ms, files: s.files, bytes: s.bytes, basis: s.basis });
  }
  const packing = packBatches(candidates, {
    concurrency,
    maxBatchMs: threshold,
    maxProjects: settings.batchMaxProjects,
    projectNames: new Set(discovery.projects.map((p) => p.name)),
  });
  const batched = new Set(packing.batches.flatMap((b) => b.projects ?? []));

  const tasks: SyncTask[] = [...packing.batches];
  for (const name of selected) {
    if (batched.has(name)) continue;
    const s = sizes.get(name) as ProjectSize;
    const estimate: TaskEstimate = { files: s.files, bytes: s.bytes, basis: s.basis };
    if (s.ms <= threshold || s.tree === undefined) {
      tasks.push({ id: name, project: name, kind: 'project', relPath: name, excludeTopLevelDirs: [], weight: s.ms, estimate });
      continue;
    }
    // Scale walk counts to the project's cost, so parts of a project sized by history add up to it.
    const walkMs = costOf(s.tree.files, s.tree.bytes);
    const scale = walkMs > 0 ? s.ms / walkMs : 0;
    const nodeCost = (node: DirEstimate): number => costOf(node.files, node.bytes) * scale;
    const parts = splitProject(name, s.tree, nodeCost, { threshold });
    for (const part of parts) {
      const share = s.ms > 0 ? part.weight / s.ms : 0;
      part.estimate = { files: Math.round(s.files * share), bytes: Math.round(s.bytes * share), basis: s.basis, scaled: true };
      tasks.push(part);
    }
  }
  if (discovery.rootSelected) {
    const h = historySize(history, ROOT_PROJECT, '');
    const files = h?.files ?? discovery.rootEntries.length;
    const bytes = h?.bytes ?? (sourceRoot === undefined ? 0 : await rootEntriesBytes(sourceRoot, discovery.rootEntries));
    tasks.push({
      id: ROOT_TASK_ID,
      project: ROOT_PROJECT,
      kind: 'root',
      relPath: '',
      excludeTopLevelDirs: 'all',
      weight: h?.durationMs ?? costOf(files, bytes),
      estimate: { files, bytes, basis: h ? 'history' : 'walk' },
    });
  }
  // A task cannot move its bytes faster than its --bwlimit, whatever history or the model say.
  for (const t of tasks) t.weight = atLeastBwlimit(t.weight, t.estimate?.bytes ?? 0);
  // The root pass first, then largest first. The root pass looks at every top-level entry on both
  // sides (to delete the projects that left the source), which no estimate counts: on the slow-NAS
  // benchmark (300 projects) it took 1.8 s of a 7.8 s nothing-changed night, started last and alone.
  // Stable sort: equal weights keep name order, so plans are deterministic.
  tasks.sort((a, b) => Number(b.kind === 'root') - Number(a.kind === 'root') || b.weight - a.weight);
  const totalWorkMs = tasks.reduce((sum, t) => sum + t.weight, 0);
  return { tasks, totalWorkMs, estimatedMs: scheduleMs(tasks.map((t) => t.weight), concurrency), concurrency, splitThresholdMs: threshold, walkedProjectEntries: wholeWalkCounts(sizes), walkedFolders: walkedFolders(sizes) };
}

/** Each walked project's own folder lookup, where its walk made one (see BackupPlan.walkedFolders). */
function walkedFolders(sizes: ReadonlyMap<string, ProjectSize>): Map<string, FolderAttributes> {
  const folders = new Map<string, FolderAttributes>();
  for (const [name, { tree }] of sizes) if (tree?.folder !== undefined) folders.set(name, tree.folder);
  return folders;
}

/** Each project's entries as countSourceEntries counts them, for the projects a walk saw whole (see BackupPlan.walkedProjectEntries). */
function wholeWalkCounts(sizes: ReadonlyMap<string, ProjectSize>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [name, { tree }] of sizes) if (tree !== undefined && tree.complete && tree.unreadNames === undefined) counts.set(name, 1 + tree.files);
  return counts;
}
