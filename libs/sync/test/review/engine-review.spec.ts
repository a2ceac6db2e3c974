import fs from 'node:fs/promises';
import path from 'node:path';
import { runBackup } from '../../src/engine/backup.js';
import type { SyncTask } from '../../src/plan/task.js';
import { exists, makeTempDir, treeDifferences, writeTree } from '../helpers/tree.js';
import { LOOPBACK, startRsyncDaemon, startSshServer } from '../remote/servers.js';

const FAST_RETRY = { retries: 0, backoffMs: 10 };

let work: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  work = await makeTempDir('dailysync-review-');
});
afterEach(async () => {
  await work.cleanup();
});

describe('links and files where the backup holds a project folder', () => {
  test('a link left in the backup where the source now has a project folder: nothing is written or deleted through it', async () => {
    const source = path.join(work.dir, 'prod');
    const dest = path.join(work.dir, 'backup');
    const elsewhere = path.join(work.dir, 'elsewhere');
    await writeTree(elsewhere, { 'precious.txt': 'not part of the backup\n' });
    // Yesterday the project was a link to another volume; the backup holds that link.
    await fs.mkdir(source);
    await fs.symlink(elsewhere, path.join(source, 'proj'));
    expect((await runBackup({ source, dest, delete: true })).ok).toBe(true);
    expect((await fs.lstat(path.join(dest, 'proj'))).isSymbolicLink()).toBe(true);
    // Today it is a real folder again.
    await fs.rm(path.join(source, 'proj'));
    // Enough files that the project is planned before the (root) pass, which would remove the link.
    const files: Record<string, string> = { 'proj/new.txt': 'new\n' };
    for (let i = 0; i < 2000; i++) files[`proj/many/f${i}`] = `${i}\n`;
    await writeTree(source, files);

    const report = await runBackup({ source, dest, delete: true, concurrency: 1 });

    expect(await fs.readFile(path.join(elsewhere, 'precious.txt'), 'utf8')).toBe('not part of the backup\n');
    expect(await exists(path.join(elsewhere, 'new.txt'))).toBe(false);
    expect((await fs.lstat(path.join(dest, 'proj'))).isDirectory()).toBe(true);
    expect(await treeDifferences(source, dest)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  test.each([
    ['a link', (p: string, target: string) => fs.symlink(target, p)],
    ['a file', (p: string) => fs.writeFile(p, 'now a file\n')],
  ])('a project folder that became %s in the source: kept without --delete, replaced and counted with it (as one rsync --delete)', async (_kind, replace) => {
    const source = path.join(work.dir, 'prod');
    const dest = path.join(work.dir, 'backup');
    await writeTree(source, { 'proj/a.txt': 'a\n', 'proj/deep/b.txt': 'b\n', 'other/c.txt': 'c\n', 'root.txt': 'r\n' });
    expect((await runBackup({ source, dest, delete: true })).ok).toBe(true);
    await fs.rm(path.join(source, 'proj'), { recursive: true });
    await replace(path.join(source, 'proj'), path.join(work.dir, 'moved-away'));
    await fs.writeFile(path.join(source, 'root.txt'), 'r2\n');

    // Without --delete nothing of the backup's folder goes.
    const keep = await runBackup({ source, dest });
    expect(await fs.readFile(path.join(dest, 'proj/a.txt'), 'utf8')).toBe('a\n');
    expect(await fs.readFile(path.join(dest, 'proj/deep/b.txt'), 'utf8')).toBe('b\n');
    expect(await fs.readFile(path.join(dest, 'root.txt'), 'utf8')).toBe('r2\n');
    expect(keep.projects.find((p) => p.name === 'other')?.status).toBe('ok');

    // With --delete (the shrink guard allowing it) the backup follows the source, and says what went.
    const report = await runBackup({ source, dest, delete: true, maxShrinkPercent: 100 });
    expect(report.ok).toBe(true);
    expect((await fs.lstat(path.join(dest, 'proj'))).isDirectory()).toBe(false);
    expect(await treeDifferences(source, dest)).toEqual([]);
    const deleted = report.projects.reduce((n, p) => n + p.filesDeleted, 0);
    expect(deleted).toBeGreaterThanOrEqual(2);
    expect(report.projects.find((p) => p.name === 'other')?.status).toBe('ok');
  });
});

describe('status of an rsync stopped by a signal nobody asked for', () => {
  test('an rsync killed from outside (e.g. the OOM killer) fails the run instead of reporting ok', async () => {
    const source = path.join(work.dir, 'prod');
    const dest = path.join(work.dir, 'backup');
    await writeTree(source, { 'big/blob.bin': Buffer.alloc(4 * 1024 * 1024, 7), 'small/a.txt': 'a\n' });
    let killed = false;
    const killRsyncOf = async (task: SyncTask): Promise<void> => {
      // Find the rsync copying this task (its argv ends with the task's operands) and kill it.
      for (let i = 0; i < 200 && !killed; i++) {
        for (const pid of (await fs.readdir('/proc')).filter((e) => /^\d+$/.test(e))) {
          const argv = (await fs.readFile(`/proc/${pid}/cmdline`).catch(() => Buffer.alloc(0))).toString().split('\0');
          if (path.basename(argv[0] ?? '') === 'rsync' && argv.includes(`${path.join(dest, task.relPath)}/`)) {
            process.kill(Number(pid), 'SIGKILL');
            killed = true;
          }
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    let killing: Promise<void> | undefined;
    const report = await runBackup({
      source,
      dest,
      bwlimitKiB: 256,
      retry: FAST_RETRY,
      // One rsync per project: a killed shared rsync would have its projects rerun one by one.
      planning: { batchBelowMs: 0 },
      hooks: { onTaskStart: (task) => void (task.project === 'big' && (killing ??= killRsyncOf(task))) },
    });
    await killing;
    expect(killed).toBe(true);
    expect(await exists(path.join(dest, 'big/blob.bin'))).toBe(false);
    expect(report.projects.find((p) => p.name === 'big')?.status).toBe('failed');
    expect(report.ok).toBe(false);
  });
});

describe('remote sources: names are paths, not wildcard patterns', () => {
  const names = ['a[bc]', 'ab', 'star*', 'starlet', 'back\\slash?'];
  const sourceTree = (): Record<string, string> => {
    const files: Record<string, string> = {};
    for (const n of names) files[`${n}/own-${names.indexOf(n)}.txt`] = `${n}\n`;
    return files;
  };

  test('pulling from an rsync daemon copies each project from its own folder (and the root from its own)', async () => {
    const source = path.join(work.dir, 'prod[1]');
    const dest = path.join(work.dir, 'backup');
    await writeTree(source, sourceTree());
    // A sibling the unescaped root "prod[1]" would match as a pattern.
    await writeTree(path.join(work.dir, 'prod1'), { 'impostor/x.txt': 'x\n' });
    await writeTree(dest, { 'a[bc]/own-0.txt': 'a[bc]\n' });
    await fs.mkdir(path.join(work.dir, 'rsyncd'));
    const daemon = await startRsyncDaemon(path.join(work.dir, 'rsyncd'), { prod: path.dirname(source) });
    try {
      const report = await runBackup({ source: `rsync://${LOOPBACK}:${daemon.port}/prod/${path.basename(source)}`, dest, delete: true, retry: FAST_RETRY });
      expect(report.projects.map((p) => p.name).sort()).toEqual([...names, '(root)'].sort());
      expect(await treeDifferences(source, dest)).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await daemon.stop();
    }
  });

  test('pulling over ssh copies each project from its own folder', async () => {
    const source = path.join(work.dir, 'prod');
    const dest = path.join(work.dir, 'backup');
    await writeTree(source, sourceTree());
    await fs.mkdir(path.join(work.dir, 'ssh'));
    const ssh = await startSshServer(path.join(work.dir, 'ssh'));
    try {
      const report = await runBackup({
        source: `root@${LOOPBACK}:${source}`,
        dest,
        delete: true,
        sshPort: ssh.port,
        sshIdentityFile: ssh.identityFile,
        sshKnownHostsFile: ssh.knownHostsFile,
        retry: FAST_RETRY,
      });
      expect(report.projects.map((p) => p.name).sort()).toEqual([...names, '(root)'].sort());
      expect(await treeDifferences(source, dest)).toEqual([]);
      expect(report.ok).toBe(true);
    } finally {
      await ssh.stop();
    }
  });
});
