import fs from 'node:fs/promises';
import path from 'node:path';
import { runBackup } from '../../src/engine/backup.js';
import { ConfigError } from '../../src/errors.js';
import { execa } from 'execa';
import { listSnapshots } from '../../src/snapshots/layout.js';
import { formatSnapshotName } from '../../src/snapshots/naming.js';
import { pruneSnapshots } from '../../src/snapshots/prune.js';
import { findRestorePoint } from '../../src/snapshots/restore-point.js';
import { runSnapshotBackup } from '../../src/snapshots/run-snapshot.js';
import { openSnapshotRoot } from '../../src/snapshots/snapshot-root.js';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../helpers/tree.js';
import { LOOPBACK, startRsyncDaemon, startSshServer, type RsyncDaemon, type SshServer } from './servers.js';

const FAST_RETRY = { retries: 2, backoffMs: 20 };

let work: { dir: string; cleanup: () => Promise<void> };
let daemon: RsyncDaemon;
let ssh: SshServer;
let source: string;
let daemonRoot: string;

beforeAll(async () => {
  work = await makeTempDir('dailysync-snap-remote-');
  source = path.join(work.dir, 'prod');
  daemonRoot = path.join(work.dir, 'daemon root');
  await fs.mkdir(daemonRoot);
  await writeTree(source, projectTree(['alpha', 'beta', 'gamma'], 6));
  await fs.mkdir(path.join(work.dir, 'rsyncd'));
  await fs.mkdir(path.join(work.dir, 'ssh'));
  [daemon, ssh] = await Promise.all([startRsyncDaemon(path.join(work.dir, 'rsyncd'), { backup: daemonRoot, prod: source }), startSshServer(path.join(work.dir, 'ssh'))]);
});

afterAll(async () => {
  await Promise.all([daemon?.stop(), ssh?.stop()]);
  await work?.cleanup();
});

/** Nights one day apart from 2026-11-01 01:30 UTC. */
function night(n: number): () => Date {
  return () => new Date(Date.UTC(2026, 10, 1 + n, 1, 30, 0));
}

async function inode(file: string): Promise<number> {
  return (await fs.stat(file)).ino;
}

describe('snapshot mode with remote sides', () => {
  test('per-task relative --link-dest links every part against the same subtree on an rsync daemon and over ssh', async () => {
    // Split projects: parts at depth 2 must climb back up to the snapshots folder.
    const planning = { minSplitMs: 0 };
    await fs.mkdir(path.join(daemonRoot, 'snapshots'));
    const first = await runBackup({ source, dest: `rsync://${LOOPBACK}:${daemon.port}/backup/snapshots/night-0`, planning, retry: FAST_RETRY });
    expect(first.ok).toBe(true);
    expect(first.projects.some((p) => (p.parts?.length ?? 0) > 1)).toBe(true);
    await fs.mkdir(path.join(daemonRoot, 'snapshots/night-1'));
    const daemonRun = await runBackup({
      source,
      dest: `rsync://${LOOPBACK}:${daemon.port}/backup/snapshots/night-1`,
      linkDestBases: ['../night-0'],
      planning,
      retry: FAST_RETRY,
    });
    expect(daemonRun.ok).toBe(true);
    expect(daemonRun.totals.filesTransferred).toBe(0);
    await fs.mkdir(path.join(daemonRoot, 'snapshots/night-2'));
    const sshRun = await runBackup({
      source,
      dest: `root@${LOOPBACK}:${path.join(daemonRoot, 'snapshots/night-2')}`,
      sshPort: ssh.port,
      sshIdentityFile: ssh.identityFile,
      sshKnownHostsFile: ssh.knownHostsFile,
      linkDestBases: ['../night-1'],
      planning,
      retry: FAST_RETRY,
    });
    expect(sshRun.ok).toBe(true);
    expect(sshRun.totals.filesTransferred).toBe(0);
    for (const night of ['night-1', 'night-2']) expect(await treeDifferences(source, path.join(daemonRoot, 'snapshots', night))).toEqual([]);
    const deep = 'beta/sub 1/file-5.dat';
    const inodes = await Promise.all(['night-0', 'night-1', 'night-2'].map((n) => inode(path.join(daemonRoot, 'snapshots', n, deep))));
    expect(new Set(inodes).size).toBe(1);
  });

  test('pulls a snapshot from an rsync daemon source into a local backup root', async () => {
    const dest = path.join(work.dir, 'local backup');
    const report = await runSnapshotBackup({ source: `rsync://${LOOPBACK}:${daemon.port}/prod`, dest, retry: FAST_RETRY });
    expect(report.snapshot?.published).toBe(true);
    const [snap] = await listSnapshots(dest);
    expect(await treeDifferences(source, snap!.dir)).toEqual([]);
  });

  test('an rsync daemon backup root gets dated snapshots: each equals the source of its night, unchanged files share one inode, retention removes only its own', async () => {
    const dest = `rsync://${LOOPBACK}:${daemon.port}/backup/nightly`;
    const backing = path.join(daemonRoot, 'nightly');
    const root = openSnapshotRoot({ dest, retry: FAST_RETRY });
    // Names that are wildcards or escapes in rsync's filter rules, which retention uses to remove a snapshot.
    await writeTree(source, { 'we\\ird*[1]/f.txt': 'odd folder\n', 'root [x]?.txt': 'odd root file\n', 'back\\slash.txt': 'b\n' });
    const expected: string[] = [];
    const changes: Record<string, string>[] = [{}, { 'beta/sub 0/file-0.dat': 'edited on night 1\n' }, { 'gamma/new.txt': 'new on night 2\n' }];
    for (const [n, change] of changes.entries()) {
      await writeTree(source, change);
      const copy = path.join(work.dir, `daemon-expected-${n}`);
      await execa('cp', ['-a', `${source}/.`, copy]);
      expected.push(copy);
      const report = await runSnapshotBackup({ source, dest, now: night(n), planning: { minSplitMs: 0 }, retry: FAST_RETRY });
      expect(report.ok).toBe(true);
      expect(report.snapshot?.published).toBe(true);
      expect(report.snapshot?.dir).toBe(`${dest}/snapshots/${formatSnapshotName(night(n)())}`);
    }
    const { entries, latest } = await root.read();
    expect(entries.map((e) => `${e.folder} ${e.state}`)).toEqual(['2026-11-01T013000Z complete', '2026-11-02T013000Z complete', '2026-11-03T013000Z complete']);
    expect(latest).toBe('2026-11-03T013000Z');
    // A daemon without chroot munges symlinks on its disk (`/rsyncd-munged/` prefix); through the daemon it reads back as written.
    expect(await fs.readlink(path.join(backing, 'snapshots/latest'))).toMatch(/(^|\/rsyncd-munged\/)2026-11-03T013000Z$/);
    for (const [n, e] of entries.entries()) {
      expect(await treeDifferences(expected[n]!, path.join(backing, 'snapshots', e.folder))).toEqual([]);
      expect(e.manifest.files).toBeGreaterThan(0);
    }
    const unchanged = 'alpha/sub 1/file-1.dat';
    const inodes = await Promise.all(entries.map((e) => inode(path.join(backing, 'snapshots', e.folder, unchanged))));
    expect(new Set(inodes).size).toBe(1);
    expect(entries[2]!.manifest.newFiles).toBe(1);

    // A folder that only looks like a snapshot has no manifest: never listed, never removed.
    await fs.mkdir(path.join(backing, 'snapshots/2026-10-01T000000Z'));
    await writeTree(path.join(backing, 'snapshots/2026-10-01T000000Z'), { 'keep.txt': 'not dailysync\n' });
    const dry = await pruneSnapshots({ root, policy: { keepLast: 1 }, dryRun: true });
    expect(dry.removed.map((r) => r.folder).sort()).toEqual(['2026-11-01T013000Z', '2026-11-02T013000Z']);
    expect((await root.read()).entries).toHaveLength(3);
    const pruned = await runSnapshotBackup({ source, dest, now: night(3), retention: { keepLast: 2 }, retry: FAST_RETRY });
    expect(pruned.snapshot?.prune?.removed.map((r) => r.folder).sort()).toEqual(['2026-11-01T013000Z', '2026-11-02T013000Z']);
    expect((await fs.readdir(path.join(backing, 'snapshots'))).sort()).toEqual(['2026-10-01T000000Z', '2026-11-03T013000Z', '2026-11-04T013000Z', 'latest']);
    expect(await fs.readFile(path.join(backing, 'snapshots/2026-10-01T000000Z/keep.txt'), 'utf8')).toBe('not dailysync\n');
    expect(await treeDifferences(source, path.join(backing, 'snapshots/2026-11-04T013000Z'))).toEqual([]);
  });

  test('over ssh, a run that is not published leaves a partial snapshot that is no restore point, and the next run links against it', async () => {
    const backing = path.join(work.dir, 'ssh backup');
    const dest = `root@${LOOPBACK}:${backing}`;
    const sshOptions = { sshPort: ssh.port, sshIdentityFile: ssh.identityFile, sshKnownHostsFile: ssh.knownHostsFile };
    const root = openSnapshotRoot({ dest, ...sshOptions, retry: FAST_RETRY });
    const prod = path.join(work.dir, 'prod for ssh');
    await writeTree(prod, projectTree(['alpha', 'beta', 'gamma', 'delta'], 6));
    expect((await runSnapshotBackup({ source: prod, dest, ...sshOptions, now: night(0), retry: FAST_RETRY })).snapshot?.published).toBe(true);
    // Most of the source gone (an unmounted share would look like this): copied, but not published.
    await Promise.all(['alpha', 'beta', 'gamma'].map((p) => fs.rm(path.join(prod, p), { recursive: true })));
    await writeTree(prod, { 'delta/added.txt': 'added on night 1\n' });
    const shrunk = await runSnapshotBackup({ source: prod, dest, ...sshOptions, now: night(1), retry: FAST_RETRY });
    expect(shrunk.ok).toBe(false);
    expect(shrunk.snapshot?.published).toBe(false);
    expect(shrunk.snapshot?.notPublishedBecause).toMatch(/fewer than snapshot 2026-11-01T013000Z/);
    let { entries, latest } = await root.read();
    expect(entries.map((e) => `${e.folder} ${e.state}`)).toEqual(['2026-11-01T013000Z complete', '2026-11-02T013000Z partial']);
    expect(latest).toBe('2026-11-01T013000Z');
    expect((await findRestorePoint(root, 'latest')).label).toBe('2026-11-01T013000Z');
    await expect(findRestorePoint(root, '2026-11-02T013000Z')).resolves.toMatchObject({ label: '2026-11-01T013000Z' });

    // The share is back: the next night publishes, linking its unchanged files against the partial tree too.
    const copiedBefore = await inode(path.join(backing, 'snapshots/2026-11-02T013000Z/delta/added.txt'));
    await writeTree(prod, projectTree(['alpha', 'beta', 'gamma'], 6));
    const next = await runSnapshotBackup({ source: prod, dest, ...sshOptions, now: night(2), retry: FAST_RETRY });
    expect(next.snapshot?.published).toBe(true);
    expect(next.snapshot?.linkedAgainst).toEqual(['2026-11-01T013000Z', '2026-11-02T013000Z']);
    expect(await inode(path.join(backing, 'snapshots/2026-11-03T013000Z/delta/added.txt'))).toBe(copiedBefore);
    expect(await treeDifferences(prod, path.join(backing, 'snapshots/2026-11-03T013000Z'))).toEqual([]);
    // Published after a newer complete snapshot, the partial tree is no link base any more: pruned.
    ({ entries, latest } = await root.read());
    expect(entries.map((e) => `${e.folder} ${e.state}`)).toEqual(['2026-11-01T013000Z complete', '2026-11-03T013000Z complete']);
    expect(next.snapshot?.prune?.removed).toEqual([{ folder: '2026-11-02T013000Z', why: 'partial' }]);
    expect(latest).toBe('2026-11-03T013000Z');
  }, 240_000);

  test('switching a mirror on a daemon to snapshot mode: the first snapshot links against the mirror instead of copying again', async () => {
    const dest = `rsync://${LOOPBACK}:${daemon.port}/backup/switched`;
    const backing = path.join(daemonRoot, 'switched');
    const mirror = await runBackup({ source, dest, retry: FAST_RETRY });
    expect(mirror.ok).toBe(true);
    const first = await runSnapshotBackup({ source, dest, now: night(5), retry: FAST_RETRY });
    expect(first.snapshot?.published).toBe(true);
    expect(first.snapshot?.linkedAgainst).toEqual(['mirror']);
    expect(first.totals.filesTransferred).toBe(0);
    const snapshot = path.join(backing, 'snapshots/2026-11-06T013000Z');
    expect(await treeDifferences(source, snapshot)).toEqual([]);
    expect(await inode(path.join(snapshot, 'alpha/sub 1/file-1.dat'))).toBe(await inode(path.join(backing, 'alpha/sub 1/file-1.dat')));
  }, 120_000);

  test('retention on a remote root never crosses into a filesystem mounted inside a snapshot, and a "snapshots" link is refused', async () => {
    const dest = `rsync://${LOOPBACK}:${daemon.port}/backup/mounted`;
    const root = openSnapshotRoot({ dest, retry: FAST_RETRY });
    for (const n of [10, 11]) expect((await runSnapshotBackup({ source, dest, now: night(n), retry: FAST_RETRY })).snapshot?.published).toBe(true);
    const mnt = path.join(daemonRoot, 'mounted/snapshots/2026-11-11T013000Z/alpha/mnt');
    await fs.mkdir(mnt);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    try {
      await writeTree(mnt, { 'other.txt': 'not ours\n' });
      await expect(pruneSnapshots({ root, policy: { keepLast: 1 } })).rejects.toThrow(/could not be emptied \(alpha left, e\.g\. another filesystem mounted inside\)/);
      expect(await fs.readFile(path.join(mnt, 'other.txt'), 'utf8')).toBe('not ours\n');
      // Still provably dailysync's, and no restore point any more: the next run finishes it once unmounted.
      expect((await root.read()).entries.map((e) => `${e.folder} ${e.state}`)).toEqual(['2026-11-11T013000Z pruning', '2026-11-12T013000Z complete']);
    } finally {
      await execa('umount', ['-l', mnt]);
    }
    await pruneSnapshots({ root, policy: { keepLast: 1 } });
    expect((await root.read()).entries.map((e) => e.folder)).toEqual(['2026-11-12T013000Z']);

    await fs.mkdir(path.join(daemonRoot, 'linked'));
    await fs.symlink(path.join(daemonRoot, 'mounted/snapshots'), path.join(daemonRoot, 'linked/snapshots'));
    await expect(runSnapshotBackup({ source, dest: `rsync://${LOOPBACK}:${daemon.port}/backup/linked`, retry: FAST_RETRY })).rejects.toThrow(/holds a "snapshots" that is not a folder/);
  }, 120_000);

  test('refuses --shard with a remote snapshot root, and ssh options for a daemon root, before anything is written', async () => {
    const dest = `rsync://${LOOPBACK}:${daemon.port}/backup/sharded`;
    await expect(runSnapshotBackup({ source, dest, shard: '1/2', snapshotName: '2026-12-02T013000Z' })).rejects.toThrow(/--shard with --snapshots needs the backup root mounted/);
    expect(() => openSnapshotRoot({ dest, sshPort: ssh.port })).toThrow(ConfigError);
    expect(await fs.readdir(daemonRoot)).not.toContain('sharded');
  });
});
