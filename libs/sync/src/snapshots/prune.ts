import { completeSnapshots, type SnapshotEntry } from './layout.js';
import { applyRetention, hasRetention, type RetentionPolicy } from './retention.js';
import type { SnapshotRoot } from './snapshot-root.js';

export interface PruneRequest {
  root: SnapshotRoot;
  policy: RetentionPolicy;
  dryRun?: boolean;
  /** Removal processes at once; removing a hard-linked tree is metadata-bound, so several overlap the NAS latency. Default 8. */
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
export function planPrune(entries: readonly SnapshotEntry[], latest: string | undefined, policy: RetentionPolicy): { kept: PruneReport['kept']; doomed: (SnapshotEntry & { why: PrunedSnapshot['why'] })[] } {
  const complete = completeSnapshots(entries);
  const newest = complete.at(-1);
  const decision = applyRetention(complete, hasRetention(policy) ? policy : {});
  const doomed: (SnapshotEntry & { why: PrunedSnapshot['why'] })[] = [];
  for (const s of decision.remove) if (s !== newest && s.folder !== latest) doomed.push({ ...s, why: 'retention' });
  if (newest) for (const p of entries) if (p.state === 'partial' && p.time < newest.time) doomed.push({ ...p, why: 'partial' });
  for (const p of entries) if (p.state === 'pruning') doomed.push({ ...p, why: 'pruning' });
  return { kept: decision.keep.map((k) => ({ folder: k.snapshot.folder, reasons: k.reasons })), doomed };
}

/**
 * Applies retention: the snapshots planPrune chose stop being restore points, then the backup root
 * removes them (several processes at once). Only folders listSnapshots accepted (name pattern and a
 * dailysync manifest naming them) are ever touched.
 */
export async function pruneSnapshots(request: PruneRequest): Promise<PruneReport> {
  const started = Date.now();
  const { entries, latest } = await request.root.read();
  const { kept, doomed } = planPrune(entries, latest, request.policy);
  const removed = doomed.map((d) => ({ folder: d.folder, why: d.why }));
  if (!request.dryRun && doomed.length > 0) await request.root.remove(doomed, request.concurrency ?? 8, request.signal);
  return { dryRun: request.dryRun ?? false, kept, removed, durationMs: Date.now() - started };
}
