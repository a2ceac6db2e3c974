import fs from 'node:fs/promises';
import path from 'node:path';
import { runBackup, type RunBackupRequest } from '../../src/engine/backup.js';
import type { BackupReport } from '../../src/report/types.js';
import { RemoteUnreachableError } from '../../src/errors.js';
import type { TaskProgress } from '../../src/engine/run-task.js';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../helpers/tree.js';
import { freePort, LOOPBACK, startRsyncDaemon, startSshServer, type RsyncDaemon, type SshServer } from './servers.js';

const FAST_RETRY = { retries: 2, backoffMs: 20 };
const PROJECTS = ['alpha', 'beta', '-dash project', 'two  spaces'];

let work: { dir: string; cleanup: () => Promise<void> };
let ssh: SshServer;
let daemon: RsyncDaemon;
let source: string;
let daemonRoot: string;

function sshOptions(): { sshPort: number; sshIdentityFile: string; sshKnownHostsFile: string } {
  return { sshPort: ssh.port, sshIdentityFile: ssh.identityFile, sshKnownHostsFile: ssh.knownHostsFile };
}

beforeAll(async () => {
  work = await makeTempDir('dailysync-remote-');
  source = path.join(work.dir, 'prod');
  daemonRoot = path.join(work.dir, 'daemon root');
  await fs.mkdir(daemonRoot);
  await writeTree(source, { ...projectTree(PROJECTS), 'alpha/odd $(name) ;x.txt': 'odd\n', 'beta/a\nnewline.txt': 'nl\n' });
  await fs.mkdir(path.join(work.dir, 'ssh'));
  await fs.mkdir(path.join(work.dir, 'rsyncd'));
  [ssh, daemon] = await Promise.all([
    startSshServer(path.join(work.dir, 'ssh')),
    startRsyncDaemon(path.join(work.dir, 'rsyncd'), { backup: daemonRoot, prod: source }),
  ]);
});

afterAll(async () => {
  await Promise.all([ssh?.stop(), daemon?.stop()]);
  await work?.cleanup();
});

describe('backup over ssh', () => {
  test('pushes every project to user@host:/path (a path with spaces), with progress and stats; a rerun copies nothing', async () => {
    const dest = path.join(work.dir, 'nas over ssh');
    const progress: TaskProgress[] = [];
    const report = await runBackup({
      source,
      dest: `root@${LOOPBACK}:${dest}`,
      ...sshOptions(),
      concurrency: 3,
      retry: FAST_RETRY,
      hooks: { onTaskProgress: (_task, p) => progress.push(p) },
    });
    expect(report.ok).toBe(true);
    expect(report.dest).toBe(`root@${LOOPBACK}:${dest}`);
    expect(report.projects.map((p) => p.name).sort()).toEqual([...PROJECTS, '(root)'].sort());
    expect(report.projects.every((p) => p.status === 'ok')).toBe(true);
    expect(report.projects.find((p) => p.name === 'alpha')?.filesTransferred).toBe(4);
    expect(report.totals.bytesTransferred).toBeGreaterThan(0);
    expect(progress.length).toBeGreaterThan(0);
    expect(await treeDifferences(source, dest)).toEqual([]);

    const again = await runBackup({ source, dest: `root@${LOOPBACK}:${dest}`, ...sshOptions(), retry: FAST_RETRY });
    expect(again.ok).toBe(true);
    expect(again.totals.filesTransferred).toBe(0);
  });

  test('pulls from an ssh source: projects are found by listing the remote root', async () => {
    const dest = path.join(work.dir, 'pulled over ssh');
    const report = await runBackup({ source: `root@${LOOPBACK}:${source}`, dest, ...sshOptions(), retry: FAST_RETRY });
    expect(report.ok).toBe(true);
    expect(report.projects.map((p) => p.name).sort()).toEqual([...PROJECTS, '(root)'].sort());
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('an unknown host key is refused at once (not retried) and the verdict names ssh', async () => {
    const emptyKnownHosts = path.join(work.dir, 'ssh', 'empty_known_hosts');
    await fs.writeFile(emptyKnownHosts, '');
    const dest = path.join(work.dir, 'never written');
    const backUpWithUnknownKey = (request: Partial<RunBackupRequest> = {}): Promise<BackupReport> =>
      runBackup({ source, dest: `root@${LOOPBACK}:${dest}`, ...sshOptions(), sshKnownHostsFile: emptyKnownHosts, retry: FAST_RETRY, ...request });
    const report = await backUpWithUnknownKey();
    expect(report.ok).toBe(false);
    expect(report.totals.failed).toBe(PROJECTS.length + 1);
    const alpha = report.projects.find((p) => p.name === 'alpha');
    // ssh's own exit status (255), or 12 when rsync notices the closed stream first: both are the refusal.
    expect([255, 12]).toContain(alpha?.exitCode);
    expect(alpha?.attempts).toBe(1);
    expect(alpha?.error).toMatch(/host key/i);
    await expect(fs.stat(dest)).rejects.toThrow();

    // Small projects sharing one rsync: a refused connection is not tried again project by project.
    const batched = await backUpWithUnknownKey({ planning: { batchBelowMs: 600_000, minSplitMs: 600_000 } });
    expect(batched.projects.filter((p) => p.name !== '(root)').every((p) => p.status === 'failed' && p.attempts === 1 && /host key/i.test(p.error ?? ''))).toBe(true);
  });
});

describe('backup to and from an rsync daemon', () => {
  test('pushes to rsync://host:port/module/path and creates the folder inside the module', async () => {
    const url = `rsync://${LOOPBACK}:${daemon.port}/backup/nightly copy`;
    const report = await runBackup({ source, dest: url, concurrency: 4, retry: FAST_RETRY });
    expect(report.ok).toBe(true);
    expect(report.dest).toBe(url);
    expect(report.totals.ok).toBe(PROJECTS.length + 1);
    expect(report.totals.filesTransferred).toBeGreaterThanOrEqual(PROJECTS.length * 3 + 1);
    expect(await treeDifferences(source, path.join(daemonRoot, 'nightly copy'))).toEqual([]);
  });

  test('the per-project counts of a rerun are exact on a daemon too, whose items name only what changed', async () => {
    const url = `rsync://${LOOPBACK}:${daemon.port}/backup/counted copy`;
    // Projects small enough to share an rsync anywhere else: a daemon gets one rsync each.
    const planning = { batchBelowMs: 600_000 };
    const first = await runBackup({ source, dest: url, retry: FAST_RETRY, planning });
    const rerun = await runBackup({ source, dest: url, retry: FAST_RETRY, planning });
    expect(rerun.totals.filesTransferred).toBe(0);
    for (const name of PROJECTS) {
      const counted = (r: BackupReport) => r.projects.find((p) => p.name === name)?.filesTotal;
      expect(counted(rerun)).toBe(counted(first));
      expect(counted(rerun)).toBeGreaterThan(1);
    }
  });

  test('with --delete, a remote backup\'s link pass starts after every other task: its temporary files lie in their folders', async () => {
    const linked = path.join(work.dir, 'linked source');
    await writeTree(linked, { 'alpha/a.txt': 'shared\n', 'beta/other.txt': 'b\n', 'gamma/g.txt': 'g\n' });
    await fs.link(path.join(linked, 'alpha/a.txt'), path.join(linked, 'beta/b.txt'));
    const url = `rsync://${LOOPBACK}:${daemon.port}/backup/linked copy`;
    const events: string[] = [];
    const report = await runBackup({
      source: linked,
      dest: url,
      delete: true,
      concurrency: 4,
      retry: FAST_RETRY,
      hooks: { onTaskStart: (t) => events.push(`start ${t.kind}`), onTaskFinish: (t) => events.push(`end ${t.kind}`) },
    });
    expect(report.ok).toBe(true);
    const linksStart = events.indexOf('start links');
    expect(linksStart).toBeGreaterThan(0);
    expect(events.slice(0, linksStart).filter((e) => e.startsWith('start')).length).toBe(events.slice(0, linksStart).filter((e) => e.startsWith('end')).length);
    const copy = path.join(daemonRoot, 'linked copy');
    expect(await treeDifferences(linked, copy)).toEqual([]);
    expect((await fs.stat(path.join(copy, 'alpha/a.txt'))).ino).toBe((await fs.stat(path.join(copy, 'beta/b.txt'))).ino);
  });

  test('a project split into parts is pushed to a daemon completely', async () => {
    const big: Record<string, string> = {};
    for (let d = 0; d < 6; d++) for (let f = 0; f < 8; f++) big[`big/sub ${d}/deeper ${d % 2}/f${f}.dat`] = `${d}/${f}\n`;
    const splitSource = path.join(work.dir, 'split source');
    await writeTree(splitSource, { ...big, 'big/top.txt': 'top\n', 'small/a.txt': 'a\n' });
    const url = `rsync://${LOOPBACK}:${daemon.port}/backup/split copy`;
    const report = await runBackup({ source: splitSource, dest: url, concurrency: 8, retry: FAST_RETRY, planning: { minSplitMs: 0 } });
    const big0 = report.projects.find((p) => p.name === 'big');
    expect(big0?.parts?.length).toBeGreaterThan(2);
    expect(report.projects.filter((p) => p.status !== 'ok')).toEqual([]);
    expect(await treeDifferences(splitSource, path.join(daemonRoot, 'split copy'))).toEqual([]);
  });

  test('pushes to a module root: a project named "-dash project" lands as a folder, not an option', async () => {
    const moduleRoot = path.join(work.dir, 'module root');
    await fs.mkdir(moduleRoot);
    // Its own config folder: a daemon rereads its config file on every connection.
    await fs.mkdir(path.join(work.dir, 'rsyncd-root'));
    const extra = await startRsyncDaemon(path.join(work.dir, 'rsyncd-root'), { root: moduleRoot });
    try {
      const report = await runBackup({ source, dest: `rsync://${LOOPBACK}:${extra.port}/root`, retry: FAST_RETRY });
      expect(report.projects.filter((p) => p.status !== 'ok')).toEqual([]);
      expect(await treeDifferences(source, moduleRoot)).toEqual([]);
    } finally {
      await extra.stop();
    }
  });

  test('pulls a daemon module into a local backup', async () => {
    const dest = path.join(work.dir, 'pulled from daemon');
    const report = await runBackup({ source: `rsync://${LOOPBACK}:${daemon.port}/prod`, dest, retry: FAST_RETRY });
    expect(report.projects.filter((p) => p.status !== 'ok')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.projects.map((p) => p.name).sort()).toEqual([...PROJECTS, '(root)'].sort());
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a refused connection is classified as transient and retried, then every task fails with the reason', async () => {
    const closed = await freePort();
    const started = Date.now();
    const report = await runBackup({ source, dest: `rsync://${LOOPBACK}:${closed}/backup/x`, retry: FAST_RETRY });
    expect(report.ok).toBe(false);
    expect(report.totals.failed).toBe(PROJECTS.length + 1);
    for (const project of report.projects) {
      expect(project.status).toBe('failed');
      expect(project.exitCode).toBe(10);
      expect(project.attempts).toBe(3);
      expect(project.error).toMatch(/socket|connect/i);
    }
    // Backoff 20 ms then 40 ms: the retries waited, but once for the run, not once per task.
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
  });

  test('a source daemon that refuses connections is retried, then reported as an outage (exit 1), not bad usage', async () => {
    const closed = await freePort();
    await expect(
      runBackup({ source: `rsync://${LOOPBACK}:${closed}/prod`, dest: path.join(work.dir, 'unused'), retry: FAST_RETRY }),
    ).rejects.toThrow(new RegExp(`could not be listed after 3 attempts \\(rsync exit 10`));
    await expect(runBackup({ source: `rsync://${LOOPBACK}:${closed}/prod`, dest: path.join(work.dir, 'unused'), retry: FAST_RETRY })).rejects.toBeInstanceOf(
      RemoteUnreachableError,
    );
  });
});
