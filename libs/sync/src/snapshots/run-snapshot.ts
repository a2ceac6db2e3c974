import fs from 'node:fs/promises';
import path from 'node:path';
import { runBackup, type RunBackupRequest } from '../engine/backup.js';
import { ConfigError, SafetyError } from '../errors.js';
import { resolveBackupOptions } from '../options.js';
import { preflight } from '../preflight.js';
import type { BackupReport } from '../report/types.js';
import { checkMarkers } from '../safety/guards.js';
import { acquireLock, lockFile, type HeldLock } from '../safety/lock.js';
import { STATE_DIR_NAME, stateDir } from '../state/run-state.js';
import { completeSnapshots, linkDestBasesFor } from './layout.js';
import type { SnapshotManifest } from './manifest.js';
import { formatSnapshotName, snapshotNameTime } from './naming.js';
import { pruneSnapshots, type PruneReport } from './prune.js';
import { hasRetention, type RetentionPolicy } from './retention.js';
import { openSnapshotRoot, type SnapshotRoot } from './snapshot-root.js';

/** What snapshot mode adds to a backup request. */
export interface SnapshotRunOptions {
  /** Name of the snapshot (`2026-12-02T013000Z`); default: the start time. Shards of one night must share one. */
  snapshotName?: string;
  /** Retention applied after a successful run; no rule: keep every snapshot. */
  retention?: RetentionPolicy;
  /** Report what retention would remove without removing it. */
  pruneDryRun?: boolean;
  /** rm processes at once when pruning (default 8). */
  pruneConcurrency?: number;
  /** The clock (tests simulate a calendar of nights). */
  now?: () => Date;
}

/** The `snapshot` section of a snapshot-mode report. */
export interface SnapshotRunReport {
  name: string;
  /** Where the tree is: the published folder, or the `.partial` one when nothing was published. */
  dir: string;
  published: boolean;
  /** Why it was not published (a task failed, the run was interrupted, other shards still running). */
  notPublishedBecause?: string;
  linkedAgainst: string[];
  /** With --shard: shards done out of the total, and whether this one published. */
  shards?: { done: number; count: number };
  prune?: PruneReport;
}

/** Shard done-markers live next to the manifest: `<partial>/.dailysync/shard-I-of-N.json`. */
function shardMarker(dir: string, index: number, count: number): string {
  return path.join(dir, STATE_DIR_NAME, `shard-${index}-of-${count}.json`);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function lockWithRetry(source: string, dest: string, file: string): Promise<HeldLock> {
  for (let tries = 0; ; tries++) {
    try {
      return await acquireLock(source, dest, file);
    } catch (error) {
      // Another shard is publishing this very moment: it takes milliseconds.
      if (tries >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * One snapshot-mode run: the backup engine writes a complete tree into the in-progress folder
 * (`<dest>/snapshots/<name>.partial`, or `<name>` on a remote root), hard-linking unchanged files
 * against the previous snapshot (rsync --link-dest, per task), and the tree is published only when
 * every task succeeded; then retention prunes. A failed or interrupted run leaves its partial tree
 * (the next run links against it) and every earlier snapshot untouched.
 *
 * Shards (`--shard I/N`) of one night share `snapshotName`: each fills its tasks into the same
 * partial tree and leaves a done-marker; the shard that finds every marker present publishes and prunes.
 */
export async function runSnapshotBackup(request: RunBackupRequest & SnapshotRunOptions): Promise<BackupReport> {
  const checked = resolveBackupOptions(request);
  if (request.delete) throw new ConfigError('--delete has no use with --snapshots: every snapshot holds exactly the source of its run; drop --delete (retention removes old snapshots)');
  if (checked.shard !== undefined && request.snapshotName === undefined) {
    throw new ConfigError('--shard with --snapshots needs --snapshot-name shared by every shard of the night, e.g. --snapshot-name=2026-12-02T013000Z');
  }
  if (checked.shard !== undefined && checked.destLocation.kind !== 'local') {
    throw new ConfigError(`--shard with --snapshots needs the backup root mounted on every shard's machine (a local path), not ${checked.dest}: the shards publish through a lock file in the backup root, which an ssh or daemon root cannot hold; mount the NAS or run one dailysync without --shard`);
  }
  const name = request.snapshotName ?? formatSnapshotName((request.now ?? (() => new Date()))());
  if (snapshotNameTime(name) === undefined) {
    throw new ConfigError(`--snapshot-name "${name}" is not a snapshot name: use a UTC time as YYYY-MM-DDTHHMMSSZ, e.g. 2026-12-02T013000Z`);
  }
  // rsync present, source and backup root not nested, backup root creatable: checked before anything is written.
  await preflight(checked);
  const dest = checked.dest;
  const { sshPort, sshIdentityFile, sshKnownHostsFile, sshHostKeyChecking } = request;
  const root = openSnapshotRoot({
    dest,
    // The ssh options may be the source's: the backup root takes them only when it is the ssh side.
    ...(checked.destLocation.kind === 'ssh' ? { sshPort, sshIdentityFile, sshKnownHostsFile, sshHostKeyChecking } : {}),
    timeoutSeconds: checked.timeoutSeconds,
    rsyncPath: checked.rsyncPath,
    ...(request.retry === undefined ? {} : { retry: request.retry }),
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  });
  const folder = root.inProgressFolder(name);
  const partialDir = root.folderPath(folder);
  const { entries, folderNames: names } = await root.read();
  const ownPartial = entries.find((e) => e.folder === folder && e.state === 'partial');
  if (names?.includes(name) && !(folder === name && ownPartial)) {
    throw new ConfigError(`snapshot ${name} already exists in ${root.folderPath('')}: snapshots are never overwritten; wait a second or give another --snapshot-name`);
  }
  // The engine writes into the snapshot folder: the backup root's marker is checked here instead.
  if (checked.destLocation.kind === 'local') await checkMarkers(checked.source, dest, null, checked.safety?.destMarker ?? null);
  request = { ...request, destMarker: undefined };
  const previous = completeSnapshots(entries).at(-1);
  // The mirror is a link base only while there is no complete snapshot: asked for only then.
  const { bases, names: linkedAgainst } = linkDestBasesFor(entries, name, previous === undefined && (await root.mirrorExists()));

  if (checked.dryRun) {
    // Nothing is created: compare against the folder the snapshot would link to first.
    const hasSnapshots = names !== undefined;
    const report = await runBackup({ ...request, dest: hasSnapshots ? partialDir : dest, stateRoot: dest, linkDestBases: hasSnapshots ? bases : [] });
    report.snapshot = { name, dir: partialDir, published: false, notPublishedBecause: 'dry run', linkedAgainst };
    return report;
  }

  // One run per backup root at a time (shards: one per shard); the engine's own lock is per snapshot folder.
  const lockKey = checked.shard === undefined ? 'snapshots' : `snapshots shard ${checked.shard.index}/${checked.shard.count}`;
  const lock = await acquireLock(lockKey, dest, lockFile(lockKey, dest, root.lockDirectory()));
  try {
    await root.startSnapshot(folder, {
      tool: 'dailysync',
      kind: 'snapshot',
      name,
      source: checked.source,
      startedAt: new Date().toISOString(),
      finishedAt: null,
      files: null,
      bytes: null,
      newFiles: null,
      newBytes: null,
      linkedAgainst,
      ...(checked.shard ? { shards: checked.shard.count } : {}),
    });
    let report: BackupReport;
    try {
      report = await runBackup({ ...request, dest: partialDir, stateRoot: dest, linkDestBases: bases });
    } catch (error) {
      // Refused before copying (a guard, the lock): leave no empty snapshot folder behind.
      // (Not for a shard: the other shards of the night write into the same folder.)
      if (checked.shard === undefined) await root.discardIfEmpty(folder);
      throw error;
    }
    const section: SnapshotRunReport = { name, dir: partialDir, published: false, linkedAgainst };
    report.snapshot = section;
    if (!report.ok || report.interrupted) {
      section.notPublishedBecause = report.interrupted ? 'the run was interrupted' : 'not every task succeeded';
      return report;
    }
    const counts = {
      files: report.projects.reduce((a, p) => a + p.filesTotal, 0),
      bytes: report.projects.reduce((a, p) => a + p.bytesTotal, 0),
      newFiles: report.totals.filesTransferred,
      newBytes: report.totals.bytesTransferred,
    };
    const localSource = checked.sourceLocation.kind === 'local' ? checked.source : undefined;
    const shrink = shrinkRefusal(previous, counts.files, checked.safety?.maxShrinkPercent ?? 50, checked.shard !== undefined);
    if (shrink !== undefined) {
      // An unmounted or emptied source would otherwise become the newest restore point, and retention would count it.
      section.notPublishedBecause = shrink;
      report.ok = false;
      return report;
    }
    if (checked.shard === undefined) {
      section.dir = await publish(root, folder, name, counts, localSource);
      section.published = true;
    } else {
      const { index, count } = checked.shard;
      await fs.writeFile(shardMarker(partialDir, index, count), `${JSON.stringify(counts)}\n`);
      // Publishing is serialised across shards: exactly the last one to finish sees every marker.
      const publishLock = await lockWithRetry('snapshot publish', dest, path.join(stateDir(dest), `snapshot-publish-${name}.json`));
      try {
        const done: (typeof counts)[] = [];
        for (let i = 1; i <= count; i++) {
          try {
            done.push(JSON.parse(await fs.readFile(shardMarker(partialDir, i, count), 'utf8')) as typeof counts);
          } catch {
            /* that shard is still running or failed */
          }
        }
        section.shards = { done: done.length, count };
        if (done.length < count || !(await exists(partialDir))) {
          section.notPublishedBecause = `${count - done.length} of ${count} shards have not finished; the last one publishes`;
          return report;
        }
        const sum = (k: keyof typeof counts): number => done.reduce((a, c) => a + c[k], 0);
        section.dir = await publish(root, folder, name, { files: sum('files'), bytes: sum('bytes'), newFiles: sum('newFiles'), newBytes: sum('newBytes') }, localSource);
        section.published = true;
      } finally {
        await publishLock.release();
      }
    }
    // Always after a publish: partial trees older than it are no link base any more; retention rules only when given.
    const policy = request.retention ?? {};
    const prune = await pruneSnapshots({ root, policy, dryRun: request.pruneDryRun, concurrency: request.pruneConcurrency, signal: request.signal });
    if (hasRetention(policy) || prune.removed.length > 0) section.prune = prune;
    return report;
  } finally {
    await lock.release();
  }
}

/** Why a snapshot with far fewer files than the previous one is not published (--max-shrink), if it is not. */
function shrinkRefusal(previous: { name: string; manifest: SnapshotManifest } | undefined, files: number, maxShrinkPercent: number, sharded: boolean): string | undefined {
  // A shard holds only its share of the files; its count cannot be compared with a whole snapshot.
  if (sharded || maxShrinkPercent >= 100 || previous?.manifest.files == null || previous.manifest.files === 0) return undefined;
  const shrank = (100 * (previous.manifest.files - files)) / previous.manifest.files;
  if (shrank <= maxShrinkPercent) return undefined;
  return `the source has ${files} entries, ${Math.round(shrank)}% fewer than snapshot ${previous.name} (more than --max-shrink ${maxShrinkPercent}%): check that the source is mounted; raise --max-shrink if the removal is intended`;
}

/** Finishes the manifest with the counts and publishes the snapshot; returns where it now is. */
async function publish(root: SnapshotRoot, folder: string, name: string, counts: Pick<SnapshotManifest, 'files' | 'bytes' | 'newFiles' | 'newBytes'>, localSource?: string): Promise<string> {
  const own = (await root.read()).entries.find((e) => e.folder === folder);
  if (!own) throw new SafetyError(`the manifest of snapshot ${name} is missing or was changed: not publishing ${root.folderPath(folder)}; run again`);
  // Another run into the same root (another machine: the lock is per machine) may be pruning it.
  if (own.state !== 'partial') throw new SafetyError(`snapshot ${name} is no longer in progress (${own.state}): not publishing ${root.folderPath(folder)}; was another dailysync run writing into ${root.dest}? run again`);
  const manifest = own.manifest;
  return root.publish(folder, { ...manifest, ...counts, finishedAt: new Date().toISOString() }, localSource);
}
