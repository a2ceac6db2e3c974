import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { runBackup } from '../engine/backup.js';
import { exists, makeTempDir, projectTree, treeDifferences, writeTree } from '../../test/helpers/tree.js';
import { listSnapshots, snapshotsRoot } from './layout.js';
import { pruneSnapshots } from './prune.js';
import { runSnapshotBackup } from './run-snapshot.js';
import { openSnapshotRoot } from './snapshot-root.js';

const PROJECTS = ['alpha', 'beta', 'gamma'];

/** Nights one day apart from 2026-11-01 01:30 UTC: the injected clock of a simulated calendar. */
function night(n: number, hour = 1): () => Date {
  return () => new Date(Date.UTC(2026, 10, 1 + n, hour, 30, 0));
}

async function inode(file: string): Promise<number> {
  return (await fs.stat(file)).ino;
}

async function duKiB(dir: string): Promise<number> {
  const { stdout } = await execa('du', ['-sk', dir]);
  return Number(stdout.split('\t')[0]);
}

describe('snapshot mode against real rsync', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-snap-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await fs.mkdir(source);
    await writeTree(source, projectTree(PROJECTS));
  });
  afterEach(() => cleanup());

  test('after several runs with changes each snapshot equals the source as it was at that run', async () => {
    const expected: string[] = [];
    const changes: Record<string, string>[] = [{}, { 'beta/sub 0/file-0.dat': 'edited on night 1\n' }, { 'gamma/new.txt': 'new on night 2\n' }];
    for (const [n, change] of changes.entries()) {
      await writeTree(source, change);
      if (n === 2) await fs.rm(path.join(source, 'alpha/sub 1/file-1.dat'));
      const copy = path.join(dir, `expected-${n}`);
      await execa('cp', ['-a', `${source}/.`, copy]);
      expected.push(copy);
      // Splitting every project into parts exercises --link-dest per part, not only per project.
      const report = await runSnapshotBackup({ source, dest, concurrency: 4, now: night(n), planning: { minSplitMs: 0 } });
      expect(report.ok).toBe(true);
      expect(report.snapshot?.published).toBe(true);
      expect(report.projects.some((p) => (p.parts?.length ?? 0) > 1)).toBe(true);
    }
    const snaps = await listSnapshots(dest);
    expect(snaps.map((s) => `${s.folder} ${s.state}`)).toEqual(['2026-11-01T013000Z complete', '2026-11-02T013000Z complete', '2026-11-03T013000Z complete']);
    for (const [n, snap] of snaps.entries()) {
      expect(await treeDifferences(expected[n]!, snap.dir)).toEqual([]);
      // The run state and lock stay in the backup root: a snapshot holds only the source and its manifest.
      expect(await fs.readdir(path.join(snap.dir, '.dailysync'))).toEqual(['snapshot.json']);
      // The snapshot root has the source root's time (its project folders were all created after the root pass).
      if (n === snaps.length - 1) expect((await fs.stat(snap.dir)).mtimeMs).toBe((await fs.stat(source)).mtimeMs);
    }
    expect(await fs.readlink(path.join(snapshotsRoot(dest), 'latest'))).toBe('2026-11-03T013000Z');

    // An unchanged file is one inode in every snapshot; a changed one is a new inode from its night on.
    const unchanged = 'alpha/sub 0/file-0.dat';
    const inodes = await Promise.all(snaps.map((s) => inode(path.join(s.dir, unchanged))));
    expect(new Set(inodes).size).toBe(1);
    const edited = 'beta/sub 0/file-0.dat';
    expect(await inode(path.join(snaps[0]!.dir, edited))).not.toBe(await inode(path.join(snaps[1]!.dir, edited)));
    expect(await inode(path.join(snaps[1]!.dir, edited))).toBe(await inode(path.join(snaps[2]!.dir, edited)));
    // The manifest counts what each snapshot added: one file on night 1, everything on night 0.
    expect(snaps[1]!.manifest.newFiles).toBe(1);
    expect(snaps[0]!.manifest.newFiles).toBeGreaterThan(9);
  });

  test('a snapshot of an unchanged tree adds almost no data blocks', async () => {
    // 8 MiB of data, so the new folders and manifest (a few KiB) are small against it.
    await writeTree(source, { 'alpha/big.bin': Buffer.alloc(4 << 20, 1), 'beta/big.bin': Buffer.alloc(4 << 20, 2) });
    await runSnapshotBackup({ source, dest, now: night(0) });
    const before = await duKiB(dest);
    const report = await runSnapshotBackup({ source, dest, now: night(1) });
    const after = await duKiB(dest);
    expect(report.snapshot?.published).toBe(true);
    expect(before).toBeGreaterThan(8 * 1024);
    expect(after - before).toBeLessThan(256);
    expect(report.totals.bytesTransferred).toBe(0);
  });

  test('an interrupted run publishes nothing, stays out of the restore points, and the next run completes', async () => {
    await runSnapshotBackup({ source, dest, now: night(0) });
    await writeTree(source, { 'gamma/changed.txt': 'night 1\n' });
    const controller = new AbortController();
    const report = await runSnapshotBackup({
      source,
      dest,
      now: night(1),
      concurrency: 1,
      signal: controller.signal,
      hooks: { onTaskStart: () => controller.abort() },
    });
    expect(report.interrupted).toBe(true);
    expect(report.snapshot?.published).toBe(false);
    let snaps = await listSnapshots(dest);
    expect(snaps.map((s) => `${s.folder} ${s.state}`)).toEqual(['2026-11-01T013000Z complete', '2026-11-02T013000Z.partial partial']);
    expect(await fs.readlink(path.join(snapshotsRoot(dest), 'latest'))).toBe('2026-11-01T013000Z');

    const next = await runSnapshotBackup({ source, dest, now: night(2) });
    expect(next.snapshot?.published).toBe(true);
    // It linked against the last complete snapshot and the partial tree; the stale partial is removed.
    expect(next.snapshot?.linkedAgainst).toEqual(['2026-11-01T013000Z', '2026-11-02T013000Z.partial']);
    snaps = await listSnapshots(dest);
    expect(snaps.map((s) => s.folder)).toEqual(['2026-11-01T013000Z', '2026-11-03T013000Z']);
    expect(await treeDifferences(source, snaps[1]!.dir)).toEqual([]);
  });

  test('switching a mirror to snapshot mode links the first snapshot against the mirror', async () => {
    const mirror = await runBackup({ source, dest });
    expect(mirror.ok).toBe(true);
    const report = await runSnapshotBackup({ source, dest, now: night(0) });
    expect(report.snapshot?.linkedAgainst).toEqual(['mirror']);
    expect(report.totals.filesTransferred).toBe(0);
    const file = 'gamma/sub 1/file-1.dat';
    expect(await inode(path.join(dest, file))).toBe(await inode(path.join(snapshotsRoot(dest), '2026-11-01T013000Z', file)));
  });

  test('a source that lost most of its entries is not published: the newest restore point stays the good one', async () => {
    await runSnapshotBackup({ source, dest, now: night(0) });
    // As if the share were half unmounted: two of three projects gone.
    await fs.rm(path.join(source, 'alpha'), { recursive: true });
    await fs.rm(path.join(source, 'beta'), { recursive: true });
    const report = await runSnapshotBackup({ source, dest, now: night(1), retention: { keepLast: 1 } });
    expect(report.ok).toBe(false);
    expect(report.snapshot?.published).toBe(false);
    expect(report.snapshot?.notPublishedBecause).toMatch(/fewer than snapshot 2026-11-01T013000Z .* --max-shrink 50%/);
    expect((await listSnapshots(dest)).map((s) => `${s.folder} ${s.state}`)).toEqual(['2026-11-01T013000Z complete', '2026-11-02T013000Z.partial partial']);
    // Meant: --max-shrink 100 publishes it.
    const meant = await runSnapshotBackup({ source, dest, now: night(2), maxShrinkPercent: 100 });
    expect(meant.snapshot?.published).toBe(true);
  });

  test('a run refused by a guard leaves no snapshot folder behind', async () => {
    await writeTree(source, { '.dailysync/x': 'not ours\n' });
    await expect(runSnapshotBackup({ source, dest, now: night(0) })).rejects.toThrow(/--exclude \.dailysync/);
    expect(await listSnapshots(dest)).toEqual([]);
    expect(await fs.readdir(snapshotsRoot(dest))).toEqual([]);
  });

  test('retention keeps exactly the snapshots its rules name over a simulated calendar', async () => {
    // Two runs a day for 10 days (01:30 and 13:30), then prune with last 2, daily 4, weekly 2.
    for (let n = 0; n < 10; n++) {
      await runSnapshotBackup({ source, dest, now: night(n, 1) });
      await runSnapshotBackup({ source, dest, now: night(n, 13) });
    }
    // A folder that only looks like a snapshot is not dailysync's: retention never touches it.
    const impostor = path.join(snapshotsRoot(dest), '2026-10-01T000000Z');
    await fs.mkdir(impostor);
    const dry = await pruneSnapshots({ root: openSnapshotRoot({ dest }), policy: { keepLast: 2, keepDaily: 4, keepWeekly: 2 }, dryRun: true });
    expect(dry.removed).toHaveLength(20 - 5);
    expect((await listSnapshots(dest)).length).toBe(20);
    const pruned = await pruneSnapshots({ root: openSnapshotRoot({ dest }), policy: { keepLast: 2, keepDaily: 4, keepWeekly: 2 } });
    // last 2: 11-10 13:30 and 01:30; daily 4: 13:30 of 11-10, 11-09, 11-08, 11-07;
    // weekly 2 (ISO weeks, Monday first): 11-10 13:30 (week 46) and 11-08 13:30 (Sunday, week 45).
    expect((await listSnapshots(dest)).map((s) => s.folder)).toEqual([
      '2026-11-07T133000Z',
      '2026-11-08T133000Z',
      '2026-11-09T133000Z',
      '2026-11-10T013000Z',
      '2026-11-10T133000Z',
    ]);
    expect(pruned.removed.map((r) => r.folder)).toEqual(dry.removed.map((r) => r.folder));
    expect(await exists(impostor)).toBe(true);
  });
});

describe('snapshot mode with --shard', () => {
  test('the shards of one night fill one snapshot and the last to finish publishes it', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-snap-shard-');
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'backup');
      await writeTree(source, projectTree(['alpha', 'beta', 'gamma', 'delta']));
      const snapshotName = '2026-12-02T013000Z';
      const first = await runSnapshotBackup({ source, dest, shard: '1/2', snapshotName });
      expect(first.ok).toBe(true);
      expect(first.snapshot?.published).toBe(false);
      expect(first.snapshot?.notPublishedBecause).toMatch(/1 of 2 shards have not finished/);
      expect((await listSnapshots(dest)).map((s) => `${s.folder} ${s.state}`)).toEqual([`${snapshotName}.partial partial`]);

      const second = await runSnapshotBackup({ source, dest, shard: '2/2', snapshotName });
      expect(second.snapshot?.published).toBe(true);
      expect(second.snapshot?.shards).toEqual({ done: 2, count: 2 });
      const [snap] = await listSnapshots(dest);
      expect(snap?.state).toBe('complete');
      expect(await treeDifferences(source, snap!.dir)).toEqual([]);
      // The manifest adds up both shards.
      expect(snap!.manifest.newFiles).toBe(first.totals.filesTransferred + second.totals.filesTransferred);
      await expect(runSnapshotBackup({ source, dest, shard: '1/2' })).rejects.toThrow(/--snapshot-name/);
    } finally {
      await cleanup();
    }
  });
});
