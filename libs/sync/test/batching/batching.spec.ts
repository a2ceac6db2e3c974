import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { runBackup, type RunBackupRequest } from '../../src/engine/backup.js';
import { resolveBackupOptions } from '../../src/options.js';
import type { SyncTask } from '../../src/plan/task.js';
import { buildRsyncArgs } from '../../src/rsync/args.js';
import type { BackupReport, ProjectReport } from '../../src/report/types.js';
import { exists, makeTempDir, treeDifferences, writeTree } from '../helpers/tree.js';

// Project names a filter rule or an argv could get wrong: a newline, an option-like name,
// wildcards, a backslash, spaces at both ends, a leading '#' (a comment in a rules file).
const ODD = ['new\nline', '-e', 'star*', 'q?[x]', 'back\\slash', ' spaced ', '#hash', '+ plus', 'plain'];

/**
 * Batch every project whatever this machine's speed: history from a run on a loaded machine can
 * size the small projects above the default 1 s.
 */
const ALWAYS_BATCH = { batchBelowMs: 600_000, minSplitMs: 600_000 };

/** Runs a backup and keeps the planned tasks, to check that batches were really used. */
async function backup(request: RunBackupRequest): Promise<{ report: BackupReport; tasks: SyncTask[] }> {
  let tasks: SyncTask[] = [];
  const report = await runBackup({ planning: ALWAYS_BATCH, ...request, retry: { retries: 0, backoffMs: 0 }, hooks: { onPlan: (p) => (tasks = p.tasks) } });
  return { report, tasks };
}

function byName(report: BackupReport): Map<string, ProjectReport> {
  return new Map(report.projects.map((p) => [p.name, p]));
}

/** The per-project fields that must not depend on whether a project ran in a batch. */
function counts(p: ProjectReport | undefined): unknown {
  if (p === undefined) return undefined;
  const { status, exitCode, filesTransferred, bytesTransferred, filesDeleted, filesTotal, bytesTotal, error } = p;
  return { status, exitCode, filesTransferred, bytesTransferred, filesDeleted, filesTotal, bytesTotal, error };
}

describe('small projects batched into shared rsync tasks (real rsync)', () => {
  let dir: string;
  let source: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-batch-'));
    source = path.join(dir, 'prod');
    await fs.mkdir(source);
  });
  afterEach(() => cleanup());

  /** Odd-named small projects with nested folders, a symlink and a hard-linked pair, one bigger project, root files. */
  async function writeSource(): Promise<void> {
    const files: Record<string, string | Buffer> = { 'root file.txt': 'root\n' };
    for (const [i, name] of ODD.entries()) {
      files[`${name}/a.txt`] = `${name}\n`.repeat(i + 1);
      files[`${name}/sub dir/b ${i}.dat`] = Buffer.alloc(100 * (i + 1), i);
    }
    files['bulky/clip.bin'] = Buffer.alloc(2_000_000, 3);
    await writeTree(source, files);
    await fs.symlink('a.txt', path.join(source, 'plain', 'link to a'));
    await fs.link(path.join(source, 'plain', 'a.txt'), path.join(source, 'plain', 'hard a'));
  }

  /** A backup as it was the night before: stale files inside projects, a folder the source no longer has. */
  async function writeOldBackup(dest: string): Promise<void> {
    await writeTree(dest, {
      'plain/stale.txt': 'gone from the source\n',
      'new\nline/old dir/x': 'gone\n',
      '-e/stale': 'gone\n',
      'retired project/keep.txt': 'only in the backup\n',
      'excluded one/keep.txt': 'backup of an excluded project\n',
    });
  }

  test('a batched run with --delete equals one rsync -aHAX --delete of the whole root, per-project entries equal unbatched runs', async () => {
    await writeSource();
    await writeTree(source, { 'excluded one/new.txt': 'not backed up this run\n' });
    const batchedDest = path.join(dir, 'batched');
    const unbatchedDest = path.join(dir, 'unbatched');
    const singleDest = path.join(dir, 'single');
    for (const d of [batchedDest, unbatchedDest, singleDest]) await writeOldBackup(d);

    const common = { source, delete: true, concurrency: 3, exclude: ['excluded one'] };
    const batched = await backup({ ...common, dest: batchedDest, planning: { minSplitMs: 0 } });
    const unbatched = await backup({ ...common, dest: unbatchedDest, planning: { minSplitMs: 0, batchBelowMs: 0 } });

    // Batches really ran, with every odd-named project in one.
    const batchTasks = batched.tasks.filter((t) => t.kind === 'batch');
    expect(batchTasks.length).toBeGreaterThan(0);
    expect(batchTasks.flatMap((t) => t.projects ?? [])).toEqual(expect.arrayContaining(ODD));
    expect(unbatched.tasks.some((t) => t.kind === 'batch')).toBe(false);
    expect(batched.report.ok).toBe(true);

    // Reference: one rsync of the whole root. The excluded project is left alone, as dailysync does;
    // a project folder gone from the source is deleted (the root pass's --delete), as rsync does.
    await execa('rsync', ['-aHAX', '--numeric-ids', '--delete', '--modify-window=-1', '--exclude=/excluded one/', '--', `${source}/`, `${singleDest}/`]);
    expect(await treeDifferences(singleDest, batchedDest)).toEqual([]);
    expect(await treeDifferences(unbatchedDest, batchedDest)).toEqual([]);

    // Deletions inside batched projects happened; nothing outside them was touched.
    expect(await exists(path.join(batchedDest, 'plain/stale.txt'))).toBe(false);
    expect(await exists(path.join(batchedDest, 'new\nline/old dir'))).toBe(false);
    expect(await exists(path.join(batchedDest, 'retired project'))).toBe(false);
    expect(await fs.readFile(path.join(batchedDest, 'excluded one/keep.txt'), 'utf8')).toBe('backup of an excluded project\n');
    expect(await exists(path.join(batchedDest, 'excluded one/new.txt'))).toBe(false);
    // The hard-linked pair inside a batched project is still one file.
    const [a, h] = await Promise.all([fs.stat(path.join(batchedDest, 'plain/a.txt')), fs.stat(path.join(batchedDest, 'plain/hard a'))]);
    expect(a.ino).toBe(h.ino);

    // One entry per project, exactly what an rsync of its own reported.
    const b = byName(batched.report);
    const u = byName(unbatched.report);
    expect([...b.keys()].sort()).toEqual([...u.keys()].sort());
    for (const name of [...ODD, 'bulky', '(root)']) expect({ name, ...(counts(b.get(name)) as object) }).toEqual({ name, ...(counts(u.get(name)) as object) });
    // And what was really copied: every file of the project, the deletions made.
    expect(b.get('-e')).toMatchObject({ filesTransferred: 2, bytesTransferred: '-e\n'.length * 2 + 200, filesDeleted: 1, filesTotal: 4 });
    expect(b.get('new\nline')).toMatchObject({ filesDeleted: 2, filesTransferred: 2 });
    expect(b.get('plain')?.filesDeleted).toBe(1);
    expect(batched.report.totals).toEqual(unbatched.report.totals);
  });

  test('a second run transfers only the changes, each attributed to its own project', async () => {
    await writeSource();
    const dest = path.join(dir, 'backup');
    await backup({ source, dest, concurrency: 2 });
    await writeTree(source, { 'star*/a.txt': 'changed, longer than before\n', 'q?[x]/new.txt': 'new\n' });
    await fs.rm(path.join(source, ' spaced ', 'a.txt'));
    const second = await backup({ source, dest, concurrency: 2, delete: true });
    expect(second.tasks.some((t) => t.kind === 'batch')).toBe(true);
    const p = byName(second.report);
    expect(p.get('star*')).toMatchObject({ status: 'ok', filesTransferred: 1, bytesTransferred: 'changed, longer than before\n'.length, filesDeleted: 0 });
    expect(p.get('q?[x]')).toMatchObject({ filesTransferred: 1, bytesTransferred: 4 });
    expect(p.get(' spaced ')).toMatchObject({ filesTransferred: 0, filesDeleted: 1 });
    expect(p.get('plain')).toMatchObject({ filesTransferred: 0, filesDeleted: 0 });
    expect(second.report.totals).toMatchObject({ filesTransferred: 2, filesDeleted: 1 });
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a failing batch is rerun project by project: the broken project fails with its own error, the others are ok', async () => {
    await writeSource();
    // A file where the backup holds a non-empty folder of the same name cannot be written: exit 23.
    await writeTree(source, { 'star*/conflict': 'a file now\n' });
    const dest = path.join(dir, 'backup');
    await writeTree(dest, { 'star*/conflict/keep.txt': 'old folder content\n' });
    const { report, tasks } = await backup({ source, dest, concurrency: 2 });
    expect(tasks.some((t) => t.kind === 'batch' && t.projects?.includes('star*'))).toBe(true);
    const p = byName(report);
    expect(p.get('star*')).toMatchObject({ status: 'failed', exitCode: 23 });
    expect(p.get('star*')?.error).toMatch(/conflict|partial transfer|could not/i);
    // The shared rsync's failure shows in the project's attempt log, then its own run.
    expect(p.get('star*')?.attemptLog?.[0]?.cause).toMatch(/shared rsync \(batch \d+\)/);
    for (const name of ODD.filter((n) => n !== 'star*')) expect({ name, status: p.get(name)?.status, error: p.get(name)?.error }).toEqual({ name, status: 'ok', error: null });
    expect(report.totals.failed).toBe(1);
    expect(report.ok).toBe(false);
    expect(await fs.readFile(path.join(dest, 'star*/conflict/keep.txt'), 'utf8')).toBe('old folder content\n');
    // Each project counted once: what the batch and the rerun copied together (a.txt and b 8.dat;
    // rsync counts neither the hard link nor the symlink as a transferred file).
    expect(p.get('plain')).toMatchObject({ filesTransferred: 2, bytesTransferred: 'plain\n'.length * 9 + 900, filesTotal: 6 });
  });

  test('--max-delete counts deletions inside batches: over the budget nothing is deleted', async () => {
    await writeSource();
    const dest = path.join(dir, 'backup');
    await backup({ source, dest });
    await fs.rm(path.join(source, 'plain', 'sub dir'), { recursive: true });
    await fs.rm(path.join(source, '-e', 'a.txt'));
    const refused = await runBackup({ source, dest, delete: true, maxDelete: '2', planning: ALWAYS_BATCH }).then(
      () => 'ran',
      (error: Error) => error.message,
    );
    expect(refused).toMatch(/would delete 3 /);
    expect(await exists(path.join(dest, 'plain', 'sub dir'))).toBe(true);
    const { report, tasks } = await backup({ source, dest, delete: true, maxDelete: '3' });
    expect(tasks.some((t) => t.kind === 'batch')).toBe(true);
    expect(report.ok).toBe(true);
    expect(report.totals.filesDeleted).toBe(3);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('shards plan the same batches and together copy everything', async () => {
    await writeSource();
    const dest = path.join(dir, 'backup');
    const runs = [];
    for (const index of [1, 2]) runs.push(await backup({ source, dest, shard: `${index}/2`, concurrency: 2 }));
    const [one, two] = runs;
    expect(one?.report.shard?.digest).toBe(two?.report.shard?.digest);
    expect([...(one?.tasks ?? []), ...(two?.tasks ?? [])].some((t) => t.kind === 'batch')).toBe(true);
    const names = [...(one?.report.projects ?? []), ...(two?.report.projects ?? [])].map((p) => p.name);
    expect(names.sort()).toEqual([...ODD, 'bulky', '(root)'].sort());
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a batch rsync from a local source looks only at its projects: --delete inside them, nothing else touched, a project gone since planning skipped', async () => {
    await writeSource();
    const dest = path.join(dir, 'backup');
    await writeOldBackup(dest);
    const batch: SyncTask = { id: '(batch 1)', project: '(batch 1)', kind: 'batch', relPath: '', excludeTopLevelDirs: 'all', weight: 1, projects: ['plain', '-e', 'new\nline', 'gone since planning'] };
    const options = resolveBackupOptions({ source, dest, delete: true });
    const args = buildRsyncArgs(batch, options);
    expect(args.slice(args.indexOf('--') + 1, -1)).toEqual(batch.projects?.map((name) => `${source}/./${name}`));
    expect(args).toEqual(expect.arrayContaining(['--relative', '--ignore-missing-args']));
    const result = await execa('rsync', args, { reject: false });
    expect(result.exitCode).toBe(0);
    for (const name of ['plain', '-e', 'new\nline']) expect(await treeDifferences(path.join(source, name), path.join(dest, name))).toEqual([]);
    expect(await exists(path.join(dest, 'plain/stale.txt'))).toBe(false);
    expect(await exists(path.join(dest, 'retired project/keep.txt'))).toBe(true);
    expect(await exists(path.join(dest, 'star*'))).toBe(false);
    expect(await exists(path.join(dest, 'root file.txt'))).toBe(false);
    expect(await exists(path.join(dest, 'gone since planning'))).toBe(false);
    // A source path given with `/./` in it: --relative would cut the operands there.
    const dotted = buildRsyncArgs(batch, resolveBackupOptions({ source: source.replace(/\/prod$/, '/./prod'), dest, delete: true }));
    expect(dotted.slice(dotted.indexOf('--') + 1, -1)).toEqual(batch.projects?.map((name) => `${source}/./${name}`));
    // A remote source keeps the rules over the root.
    const remote = buildRsyncArgs(batch, resolveBackupOptions({ source: `backup@nas:${source}`, dest, delete: true }));
    expect(remote).toContain('--exclude=/*');
    expect(remote).not.toContain('--relative');
  });
});
