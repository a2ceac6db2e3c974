import fs from 'node:fs/promises';
import path from 'node:path';
import { runQueue } from '../engine/queue.js';
import { STATE_DIR_NAME } from '../state/run-state.js';
import { completeSnapshots, latestLinkTarget, listSnapshots, snapshotsRoot, type SnapshotEntry } from './layout.js';
import { PRUNING_SUFFIX } from './naming.js';
import { applyRetention, hasRetention, type RetentionPolicy } from './retention.js';

export interface PruneRequest {
  dest: string;
  policy: RetentionPolicy;
  dryRun?: boolean;
  /** rm processes at once; removing a hard-linked tree is metadata-bound, so several overlap the NAS latency. Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface PrunedSnapshot {
  folder: string;
  /** 'retention': a complete snapshot no rule keeps; 'partial': an unfinished tree older than the newest complete snapshot; 'pruning': left by an interrupted prune. */
  why: 'retention' | 'partial' | 'pruning';
}

export interface PruneReport {
  dryRun: boolean;
  kept: { folder: string; reasons: string[] }[];
  removed: PrunedSnapshot[];
  durationMs: number;
}

/**
 * What pruning would remove now: complete snapshots no retention rule keeps (never the newest,
 * never the one `latest` names), partial trees of failed runs older than the newest complete
 * snapshot (newer ones are the next run's link bases), and leftovers of an interrupted prune.
 */
export async function planPrune(dest: string, policy: RetentionPolicy): Promise<{ kept: PruneReport['kept']; doomed: (SnapshotEntry & { why: PrunedSnapshot['why'] })[] }> {
  const entries = await listSnapshots(dest);
  const complete = completeSnapshots(entries);
  const newest = complete.at(-1);
  const latest = await latestLinkTarget(dest);
  const decision = applyRetention(complete, hasRetention(policy) ? policy : {});
  const doomed: (SnapshotEntry & { why: PrunedSnapshot['why'] })[] = [];
  for (const s of decision.remove) if (s !== newest && s.folder !== latest) doomed.push({ ...s, why: 'retention' });
  if (newest) for (const p of entries) if (p.state === 'partial' && p.time < newest.time) doomed.push({ ...p, why: 'partial' });
  for (const p of entries) if (p.state === 'pruning') doomed.push({ ...p, why: 'pruning' });
  return { kept: decision.keep.map((k) => ({ folder: k.snapshot.folder, reasons: k.reasons })), doomed };
}

/**
 * Applies retention. Each doomed snapshot is first renamed to `<name>.pruning` (from then on it
 * is no restore point), then its top-level folders are removed by several `rm` processes at once,
 * each staying on one filesystem. Only folders listSnapshots accepted (name pattern and a
 * dailysync manifest naming them) are ever touched.
 */
export async function pruneSnapshots(request: PruneRequest): Promise<PruneReport> {
  const started = Date.now();
  const { kept, doomed } = await planPrune(request.dest, request.policy);
  const removed = doomed.map((d) => ({ folder: d.folder, why: d.why }));
  if (request.dryRun || doomed.length === 0) return { dryRun: request.dryRun ?? false, kept, removed, durationMs: Date.now() - started };
  const root = snapshotsRoot(request.dest);
  const renamed: string[] = [];
  for (const d of doomed) {
    const target = d.state === 'pruning' ? d.dir : path.join(root, `${d.name}${PRUNING_SUFFIX}`);
    if (target !== d.dir) await fs.rename(d.dir, target);
    renamed.push(target);
  }
  // Spread the work: every top-level entry of every doomed snapshot is one rm job.
  const jobs: string[] = [];
  // The manifest goes last: a prune interrupted half way leaves a folder still provably dailysync's, removed next time.
  for (const dir of renamed) for (const name of await fs.readdir(dir)) if (name !== STATE_DIR_NAME) jobs.push(path.join(dir, name));
  // execa loads only here: a sync that prunes nothing would carry its modules (about 5 MiB) for nothing.
  const { execa } = await import('execa');
  await runQueue(
    jobs,
    () => request.concurrency ?? 8,
    async (entry) => {
      await execa('rm', ['-rf', '--one-file-system', '--', entry], { stdio: 'ignore' });
    },
    { signal: request.signal },
  );
  if (!request.signal?.aborted) for (const dir of renamed) await fs.rm(dir, { recursive: true, force: true });
  return { dryRun: false, kept, removed, durationMs: Date.now() - started };
}
