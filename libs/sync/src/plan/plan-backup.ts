import path from 'node:path';
import type { Discovery } from '../discovery/discover.js';
import { estimateTree, type DirEstimate, type WalkBudget } from './estimate.js';
import { historySize, type TaskRecord } from './history.js';
import { splitProject } from './split.js';
import { ROOT_PROJECT, type SyncTask, type TaskEstimate } from './task.js';

/** Throughput assumed for work without history; calibrated by history when there is some. */
export interface Rate {
  bytesPerSecond: number;
  filesPerSecond: number;
}

export const DEFAULT_RATE: Rate = { bytesPerSecond: 100 * 1024 * 1024, filesPerSecond: 2000 };

export interface PlanSettings {
  /** Tasks expected to run at once: a project costing more than total/concurrency is split. */
  concurrency: number;
  /** Projects estimated below this never split (an rsync per part costs its own startup). Default 60 s. */
  minSplitMs?: number;
  /** How deep below a project splitting may go. Default 3. */
  maxSplitDepth?: number;
  /** Budget of the estimate walk across all projects: entries and milliseconds. Defaults 2,000,000 and 30 s. */
  estimateEntries?: number;
  estimateMs?: number;
  rate?: Rate;
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
}

interface ProjectSize {
  files: number;
  bytes: number;
  ms: number;
  basis: TaskEstimate['basis'];
  tree?: DirEstimate;
}

export function modelMs(files: number, bytes: number, rate: Rate): number {
  return 1000 * (bytes / rate.bytesPerSecond + files / rate.filesPerSecond);
}

/** How much slower (or faster) earlier runs were than the default rate says; 1 without history. */
function calibration(history: ReadonlyMap<string, TaskRecord>, rate: Rate): number {
  let measured = 0;
  let modelled = 0;
  for (const r of history.values()) {
    if (r.durationMs <= 0 || r.files + r.bytes <= 0) continue;
    measured += r.durationMs;
    modelled += modelMs(r.files, r.bytes, rate);
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

/** Walks each project that needs it, sharing one budget so a huge project cannot starve the others. */
async function walkProjects(source: string, names: readonly string[], settings: Required<Pick<PlanSettings, 'estimateEntries' | 'estimateMs' | 'maxSplitDepth'>>): Promise<Map<string, DirEstimate>> {
  const trees = new Map<string, DirEstimate>();
  let entriesLeft = settings.estimateEntries;
  const deadline = Date.now() + settings.estimateMs;
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const remaining = names.length - i;
    const budget: WalkBudget = {
      entriesLeft: Math.floor(entriesLeft / remaining),
      deadline: Date.now() + Math.max(0, deadline - Date.now()) / remaining,
    };
    const granted = budget.entriesLeft;
    trees.set(name, await estimateTree(path.join(source, name), { maxDepth: settings.maxSplitDepth, budget }));
    entriesLeft -= granted - Math.max(0, budget.entriesLeft);
  }
  return trees;
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
    minSplitMs: 60_000,
    maxSplitDepth: 3,
    estimateEntries: 2_000_000,
    estimateMs: 30_000,
    rate: DEFAULT_RATE,
    ...input.settings,
  };
  const concurrency = Math.max(1, settings.concurrency);
  const factor = calibration(history, settings.rate);
  const costOf = (files: number, bytes: number): number => modelMs(files, bytes, settings.rate) * factor;

  const selected = discovery.projects.filter((p) => p.selected).map((p) => p.name);
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
    for (const [name, tree] of await walkProjects(sourceRoot, unknown, settings)) {
      sizes.set(name, { files: tree.files, bytes: tree.bytes, ms: costOf(tree.files, tree.bytes), basis: tree.complete ? 'walk' : 'walk-partial', tree });
    }
  }

  const total = [...sizes.values()].reduce((sum, s) => sum + s.ms, 0);
  const threshold = Math.max(total / concurrency, settings.minSplitMs);
  // Projects sized from history are walked only when they are big enough to split.
  const toWalk = selected.filter((name) => {
    const s = sizes.get(name);
    return s !== undefined && s.tree === undefined && s.ms > threshold;
  });
  for (const [name, tree] of sourceRoot === undefined ? [] : await walkProjects(sourceRoot, toWalk, settings)) {
    const s = sizes.get(name);
    if (s) s.tree = tree;
  }

  const tasks: SyncTask[] = [];
  for (const name of selected) {
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
      part.estimate = { files: Math.round(s.files * share), bytes: Math.round(s.bytes * share), basis: s.basis };
      tasks.push(part);
    }
  }
  if (discovery.rootSelected) {
    const h = historySize(history, ROOT_PROJECT, '');
    const files = h?.files ?? discovery.rootEntries.length;
    const bytes = h?.bytes ?? 0;
    tasks.push({
      id: ROOT_PROJECT,
      project: ROOT_PROJECT,
      kind: 'root',
      relPath: '',
      excludeTopLevelDirs: 'all',
      weight: h?.durationMs ?? costOf(files, bytes),
      estimate: { files, bytes, basis: h ? 'history' : 'walk' },
    });
  }
  // Stable sort: equal weights keep name order, so plans are deterministic.
  tasks.sort((a, b) => b.weight - a.weight);
  const totalWorkMs = tasks.reduce((sum, t) => sum + t.weight, 0);
  return { tasks, totalWorkMs, estimatedMs: scheduleMs(tasks.map((t) => t.weight), concurrency), concurrency, splitThresholdMs: threshold };
}
