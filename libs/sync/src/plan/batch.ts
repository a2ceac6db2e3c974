import type { SyncTask } from './task.js';

/**
 * Packing small projects into shared rsync tasks. Each rsync costs its own start-up (tens of ms
 * locally, more on a NAS): 2,000 one-file projects took 32 s one rsync each against 0.55 s for a
 * single rsync of the root. A batch is one rsync over the source root with `--include=/name/` per
 * project and a final `--exclude=/*` (see buildRsyncArgs), so --delete stays correct inside each
 * named project and every other top-level entry is left alone (rsync protects excluded entries
 * on the receiver).
 */
export interface BatchSettings {
  /** Projects estimated below this many ms share rsync tasks; 0 turns batching off. Default 1,000 ms. */
  batchBelowMs: number;
  /** Most projects in one batch (each adds one argument to rsync's command line). Default 500. */
  batchMaxProjects: number;
}

export const DEFAULT_BATCH_SETTINGS: BatchSettings = { batchBelowMs: 1_000, batchMaxProjects: 500 };

/**
 * A batch below this estimate is not worth splitting further: it costs about as much as the rsync
 * start-up it would save.
 */
const MIN_BATCH_MS = 100;

/**
 * Whether a project may share an rsync: its name must survive the round trip through rsync's
 * output, or its lines could not be attributed to it. A name read with U+FFFD in it was not valid
 * UTF-8 on disk (the text no longer names the folder exactly): it keeps its own rsync.
 */
export function canShareRsync(name: string): boolean {
  return !name.includes('\uFFFD');
}

export interface BatchCandidate {
  name: string;
  /** Estimated ms of the project on its own. */
  ms: number;
  files: number;
  bytes: number;
  basis: 'history' | 'walk';
}

export interface BatchPacking {
  batches: SyncTask[];
  /** Candidates left as their own project task (a batch of one gains nothing). */
  single: BatchCandidate[];
}

/** Batch ids cannot be taken by a project: a project folder could be named `(batch 1)`. */
function batchIds(count: number, projectNames: ReadonlySet<string>): string[] {
  const ids: string[] = [];
  for (let n = 1; ids.length < count; n++) {
    const id = `(batch ${n})`;
    if (!projectNames.has(id)) ids.push(id);
  }
  return ids;
}

/**
 * Packs small projects into batches, deterministically (every shard must plan the same list):
 * as many batches as the small work needs to run on `concurrency` slots without any batch
 * costing more than `maxBatchMs` (the split threshold: the biggest unsplit task), then largest
 * project first into the least loaded batch, ties by name. Pure.
 */
export function packBatches(
  candidates: readonly BatchCandidate[],
  input: { concurrency: number; maxBatchMs: number; maxProjects: number; projectNames: ReadonlySet<string> },
): BatchPacking {
  if (candidates.length < 2) return { batches: [], single: [...candidates] };
  const total = candidates.reduce((sum, c) => sum + c.ms, 0);
  const maxProjects = Math.max(2, input.maxProjects);
  // Enough batches to keep every slot busy with the small work, but none so small that start-up dominates.
  const targetMs = Math.min(input.maxBatchMs, Math.max(total / Math.max(1, input.concurrency), MIN_BATCH_MS));
  const count = Math.min(candidates.length, Math.max(1, Math.ceil(total / targetMs), Math.ceil(candidates.length / maxProjects)));
  const order = [...candidates].sort((a, b) => b.ms - a.ms || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const bins = Array.from({ length: count }, () => ({ ms: 0, members: [] as BatchCandidate[] }));
  for (const c of order) {
    let best = -1;
    for (let i = 0; i < bins.length; i++) {
      const bin = bins[i] as (typeof bins)[number];
      if (bin.members.length >= maxProjects) continue;
      const current = best < 0 ? undefined : bins[best];
      if (current === undefined || bin.ms < current.ms || (bin.ms === current.ms && bin.members.length < current.members.length)) best = i;
    }
    const bin = bins[best] as (typeof bins)[number];
    bin.ms += c.ms;
    bin.members.push(c);
  }
  const single: BatchCandidate[] = [];
  const full = bins.filter((bin) => {
    if (bin.members.length >= 2) return true;
    single.push(...bin.members);
    return false;
  });
  const ids = batchIds(full.length, input.projectNames);
  const batches = full.map((bin, i): SyncTask => {
    const projects = bin.members.map((m) => m.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const id = ids[i] as string;
    return {
      id,
      project: id,
      kind: 'batch',
      relPath: '',
      // Everything but the named projects is excluded: see buildRsyncArgs.
      excludeTopLevelDirs: 'all',
      weight: bin.ms,
      estimate: {
        files: bin.members.reduce((sum, m) => sum + m.files, 0),
        bytes: bin.members.reduce((sum, m) => sum + m.bytes, 0),
        basis: bin.members.every((m) => m.basis === 'history') ? 'history' : 'walk',
      },
      projects,
    };
  });
  return { batches, single };
}

/** The project tasks a batch stands for: what its per-project results, history and reruns use. */
export function projectTasksOfBatch(batch: SyncTask): SyncTask[] {
  return (batch.projects ?? []).map((name) => ({ id: name, project: name, kind: 'project', relPath: name, excludeTopLevelDirs: [], weight: 0 }));
}

/** Every task with each batch replaced by the project tasks it stands for. */
export function withBatchesExpanded(tasks: readonly SyncTask[]): SyncTask[] {
  return tasks.flatMap((t) => (t.kind === 'batch' ? projectTasksOfBatch(t) : [t]));
}
