import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runBackup } from '../../src/engine/backup.js';
import { resolveBackupOptions } from '../../src/options.js';
import type { SyncTask } from '../../src/plan/task.js';
import { buildRsyncArgs } from '../../src/rsync/args.js';
import { findRsyncProcesses, makeRunTempDir, removeDeadRunTempDirs, runTempRoot, usesRunTempDir } from '../../src/safety/recover.js';
import { spawnBackupChild } from '../helpers/spawn-backup-child.js';
import { exists, makeTempDir, treeDifferences, writeTree } from '../helpers/tree.js';

/** Starts a backup in its own process (temporary files in `tmpDir`) and resolves once its first rsync task has started. */
async function startKillableBackup(request: object, tmpDir: string): Promise<{ pid: number; exited: Promise<void> }> {
  const child = spawnBackupChild(request, tmpDir, 'inherit');
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => (c.toString().includes('started') ? resolve() : undefined));
    child.on('exit', () => reject(new Error('the backup ended before it started copying')));
  });
  return { pid: child.pid as number, exited };
}

describe('clean-up after a killed run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('dailysync-recover-')));
  afterEach(() => cleanup());

  test('after SIGKILL, the next run keeps backup-only files that merely look like rsync temp files (.notes.backup, .thesis.tex.orig01)', async () => {
    const source = path.join(dir, 'prod');
    const dest = path.join(dir, 'backup');
    await writeTree(source, { 'alpha/notes': 'n', 'alpha/thesis.tex': 't', 'beta/big.bin': Buffer.alloc(4 * 1024 * 1024, 7) });
    await writeTree(dest, {
      // Kept from files since deleted in the source; their names have rsync's temp shape
      // (".name.XXXXXX") and "notes" and "thesis.tex" exist in the source.
      'alpha/.notes.backup': 'only in the backup',
      'alpha/.thesis.tex.orig01': 'only in the backup too',
    });
    // A slow copy (bandwidth limit) to kill in the middle of, like a power cut: dailysync and its rsyncs.
    const run = await startKillableBackup({ source, dest, concurrency: 2, bwlimitKiB: 256 }, dir);
    process.kill(run.pid, 'SIGKILL');
    await run.exited;
    for (const p of await findRsyncProcesses(source, dest)) process.kill(-p.pgid, 'SIGKILL');

    const next = await runBackup({ source, dest, concurrency: 2 });
    expect(next.ok).toBe(true);
    expect(next.safety?.lockTakenOverFrom).not.toBeNull();
    expect(await fs.readFile(path.join(dest, 'alpha/.notes.backup'), 'utf8')).toBe('only in the backup');
    expect(await fs.readFile(path.join(dest, 'alpha/.thesis.tex.orig01'), 'utf8')).toBe('only in the backup too');
    // What the killed rsync was writing lay in the dead run's own folder, now gone (and the emptied
    // temp root with it).
    expect(await fs.readdir(runTempRoot(dest)).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
    expect((await fs.readFile(path.join(dest, 'beta/big.bin'))).equals(Buffer.alloc(4 * 1024 * 1024, 7))).toBe(true);
  });

  test('with --delete, rsync writes beside each file; what a SIGKILLed run left there, the next run deletes, and the copy is exact', async () => {
    const source = path.join(dir, 'prod');
    const dest = path.join(dir, 'backup');
    const big = Buffer.alloc(4 * 1024 * 1024, 9);
    await writeTree(source, { 'alpha/notes': 'n', 'beta/big.bin': big });
    const run = await startKillableBackup({ source, dest, concurrency: 2, bwlimitKiB: 256, delete: true }, dir);
    // rsync's own temporary file, beside the file it replaces: no run folder with --delete.
    let beside: string[] = [];
    for (let i = 0; i < 200 && beside.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      beside = (await fs.readdir(path.join(dest, 'beta')).catch(() => [] as string[])).filter((n) => /^\.big\.bin\.\w{6}$/.test(n));
    }
    process.kill(run.pid, 'SIGKILL');
    await run.exited;
    for (const p of await findRsyncProcesses(source, dest)) process.kill(-p.pgid, 'SIGKILL');
    expect(beside).toHaveLength(1);
    expect(await exists(runTempRoot(dest))).toBe(false);
    expect(await exists(path.join(dest, 'beta', beside[0]!))).toBe(true);

    const next = await runBackup({ source, dest, concurrency: 2, delete: true });
    expect(next.ok).toBe(true);
    expect(await exists(path.join(dest, 'beta', beside[0]!))).toBe(false);
    expect(await fs.readdir(path.join(dest, 'beta'))).toEqual(['big.bin']);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('with --delete only the link pass keeps the run folder: it writes into folders whose own tasks delete what is not in the source', () => {
    const tasks: SyncTask[] = [
      { id: 'alpha', project: 'alpha', kind: 'project', relPath: 'alpha', excludeTopLevelDirs: [], weight: 1 },
      { id: '(batch 1)', project: '(batch 1)', kind: 'batch', relPath: '', excludeTopLevelDirs: 'all', weight: 1, projects: ['beta', 'gamma'] },
      { id: './hard links', project: '(root)', kind: 'links', relPath: '', excludeTopLevelDirs: 'all', weight: 1 },
    ];
    const local = (extra: object) => resolveBackupOptions({ source: path.join(dir, 'prod'), dest: path.join(dir, 'backup'), ...extra });
    expect(tasks.map((t) => usesRunTempDir(local({ delete: true }), t))).toEqual([false, false, true]);
    expect(tasks.map((t) => usesRunTempDir(local({}), t))).toEqual([true, true, true]);
    expect(tasks.map((t) => usesRunTempDir(local({ delete: true, dryRun: true }), t))).toEqual([false, false, false]);
    expect(tasks.map((t) => usesRunTempDir(resolveBackupOptions({ source: path.join(dir, 'prod'), dest: `backup@nas:${dir}/backup` }), t))).toEqual([false, false, false]);
  });

  test('removes the temporary folders of dead runs on this host only, never a live run\'s or another host\'s', async () => {
    const dest = path.join(dir, 'backup');
    const live = await makeRunTempDir(dest);
    await fs.writeFile(path.join(live, '.clip.mov.Ab12Cd'), 'live');
    const dead = path.join(runTempRoot(dest), `${os.hostname()}-999999-0badc0de`);
    const otherHost = path.join(runTempRoot(dest), 'other-host-12-0badc0de');
    await writeTree(dead, { '.clip.mov.Xy12Zq': 'half written' });
    await writeTree(otherHost, { '.a.b.Xy12Zq': 'another machine' });
    expect(await removeDeadRunTempDirs(dest)).toEqual([path.join(dead, '.clip.mov.Xy12Zq')]);
    expect(await exists(dead)).toBe(false);
    expect(await exists(path.join(live, '.clip.mov.Ab12Cd'))).toBe(true);
    expect(await exists(otherHost)).toBe(true);
  });

  test('a batch rsync, given the run folder relative to the backup root, writes its temporary file there and nowhere in the tree', async () => {
    const source = path.join(dir, 'prod');
    const dest = path.join(dir, 'backup');
    await writeTree(source, { 'alpha/clip.mov': Buffer.alloc(2 * 1024 * 1024, 3), 'beta/notes': 'n' });
    await fs.mkdir(dest);
    const taskDir = path.join(await makeRunTempDir(dest), '1');
    await fs.mkdir(taskDir);
    const batch: SyncTask = { id: '(batch 1)', project: '(batch 1)', kind: 'batch', relPath: '', excludeTopLevelDirs: 'all', weight: 1, projects: ['alpha', 'beta'] };
    // Slow enough to look at the copy half way.
    const args = buildRsyncArgs(batch, resolveBackupOptions({ source, dest, bwlimitKiB: 256 }), { tempDir: taskDir });
    // Relative: rsync walks an absolute one component by component from / for every file it writes.
    expect(args).toContain(`--temp-dir=${path.relative(dest, taskDir)}`);
    expect(path.relative(dest, taskDir)).toMatch(/^\.dailysync\/tmp\/[^/]+\/1$/);
    const rsync = spawn('rsync', args, { stdio: 'ignore' });
    const exited = new Promise((resolve) => rsync.on('exit', resolve));
    try {
      let inRunFolder: string[] = [];
      for (let i = 0; i < 100 && inRunFolder.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        inRunFolder = await fs.readdir(taskDir);
      }
      expect(inRunFolder).toEqual([expect.stringMatching(/^clip\.mov\.\w{6}$/)]);
      expect(await fs.readdir(path.join(dest, 'alpha'))).toEqual([]);
    } finally {
      rsync.kill('SIGKILL');
      await exited;
    }
  });
});
