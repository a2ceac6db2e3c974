import fs from 'node:fs/promises';
import path from 'node:path';
import { runBackup } from '../../src/engine/backup.js';
import { ConfigError } from '../../src/errors.js';
import { listSnapshots } from '../../src/snapshots/layout.js';
import { runSnapshotBackup } from '../../src/snapshots/run-snapshot.js';
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

  test('a remote backup root is refused in snapshot mode with the fix, before anything is written', async () => {
    await expect(runSnapshotBackup({ source, dest: `rsync://${LOOPBACK}:${daemon.port}/backup/snaps` })).rejects.toThrow(ConfigError);
    await expect(runSnapshotBackup({ source, dest: `rsync://${LOOPBACK}:${daemon.port}/backup/snaps` })).rejects.toThrow(/run dailysync on the backup host/);
    expect(await fs.readdir(daemonRoot)).not.toContain('snaps');
  });
});
