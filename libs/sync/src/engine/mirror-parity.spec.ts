import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { SafetyError } from '../errors.js';
import { ROOT_PROJECT } from '../plan/task.js';
import { verifyBackup } from '../verify/verify.js';
import { runBackup } from './backup.js';
import { compareTrees, REFERENCE_RSYNC } from '../../test/differential/compare.js';
import { exists, makeTempDir, writeTree } from '../../test/helpers/tree.js';

const run = promisify(execFile);

function files(prefix: string, count: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[`${prefix}/f${i}.dat`] = `${prefix} ${i}\n`;
  return out;
}

async function inode(p: string): Promise<number> {
  return (await fs.lstat(p)).ino;
}

describe('a dailysync run equals one rsync -aHAX --delete of the whole tree', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-parity-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await fs.mkdir(source);
  });
  afterEach(() => cleanup());

  /** A project `big` that splits into parts A and B, two small projects, and hard links spanning all of them and the root. */
  async function linkedTree(): Promise<void> {
    await writeTree(source, { ...files('big/A', 30), ...files('big/B', 30), 'alpha/x': 'x\n', 'beta/other': 'o\n', 'root.txt': 'r\n' });
    await fs.link(path.join(source, 'big/A/f0.dat'), path.join(source, 'big/B/same-as-A0'));
    await fs.link(path.join(source, 'alpha/x'), path.join(source, 'beta/y'));
    await fs.link(path.join(source, 'root.txt'), path.join(source, 'alpha/root-link'));
    await fs.link(path.join(source, 'big/A/f1.dat'), path.join(source, 'big/A/f1-again'));
  }

  test('hard links across parts of a split project, across projects and with the root stay one inode; verify finds nothing', async () => {
    await linkedTree();
    const report = await runBackup({ source, dest, concurrency: 4, delete: true, planning: { minSplitMs: 0 } });
    expect(report.ok).toBe(true);
    expect(report.projects.find((p) => p.name === 'big')?.parts?.length).toBeGreaterThan(1);
    expect(await inode(path.join(dest, 'big/B/same-as-A0'))).toBe(await inode(path.join(dest, 'big/A/f0.dat')));
    expect(await inode(path.join(dest, 'beta/y'))).toBe(await inode(path.join(dest, 'alpha/x')));
    expect(await inode(path.join(dest, 'alpha/root-link'))).toBe(await inode(path.join(dest, 'root.txt')));
    expect(await inode(path.join(dest, 'big/A/f1-again'))).toBe(await inode(path.join(dest, 'big/A/f1.dat')));
    const verify = await verifyBackup({ source, dest });
    expect(verify.counts).toMatchObject({ missing: 0, different: 0 });
    await run('rsync', [...REFERENCE_RSYNC, `${source}/`, `${dir}/reference/`]);
    expect(await compareTrees(dest, `${dir}/reference`)).toEqual([]);
  });

  test('separate copies left by an earlier run (without -H) are turned into links', async () => {
    await linkedTree();
    await run('rsync', ['-a', `${source}/`, `${dest}/`]);
    expect(await inode(path.join(dest, 'beta/y'))).not.toBe(await inode(path.join(dest, 'alpha/x')));
    const report = await runBackup({ source, dest, concurrency: 4, delete: true, planning: { minSplitMs: 0 } });
    expect(report.ok).toBe(true);
    expect(await inode(path.join(dest, 'beta/y'))).toBe(await inode(path.join(dest, 'alpha/x')));
    expect(await inode(path.join(dest, 'big/B/same-as-A0'))).toBe(await inode(path.join(dest, 'big/A/f0.dat')));
    expect((await verifyBackup({ source, dest })).counts).toMatchObject({ missing: 0, different: 0 });
  });

  test('with --delete, projects removed, renamed or replaced by a file or a link leave the backup, counted and reported', async () => {
    await writeTree(source, { ...files('gone', 3), ...files('renamed', 2), ...files('to-file', 2), ...files('to-link', 2), ...files('kept', 2), 'root.txt': 'r' });
    expect((await runBackup({ source, dest, concurrency: 2, delete: true })).ok).toBe(true);
    await fs.rm(path.join(source, 'gone'), { recursive: true });
    await fs.rename(path.join(source, 'renamed'), path.join(source, 'renamed-now'));
    await fs.rm(path.join(source, 'to-file'), { recursive: true });
    await fs.writeFile(path.join(source, 'to-file'), 'now a file');
    await fs.rm(path.join(source, 'to-link'), { recursive: true });
    await fs.symlink('kept', path.join(source, 'to-link'));

    // The dry run shows them, and --max-delete counts them: over budget, nothing is deleted.
    const dry = await runBackup({ source, dest, concurrency: 2, delete: true, dryRun: true, maxShrinkPercent: 100 });
    expect(dry.projects.find((p) => p.name === 'gone')?.filesDeleted).toBe(4);
    await expect(runBackup({ source, dest, concurrency: 2, delete: true, maxDelete: 3, maxShrinkPercent: 100 })).rejects.toThrow(SafetyError);
    expect(await exists(path.join(dest, 'gone/f0.dat'))).toBe(true);

    const report = await runBackup({ source, dest, concurrency: 2, delete: true, maxShrinkPercent: 100 });
    expect(report.ok).toBe(true);
    expect(await exists(path.join(dest, 'gone'))).toBe(false);
    expect(await exists(path.join(dest, 'renamed'))).toBe(false);
    expect(await fs.readFile(path.join(dest, 'renamed-now/f1.dat'), 'utf8')).toBe('renamed 1\n');
    expect(await fs.readFile(path.join(dest, 'to-file'), 'utf8')).toBe('now a file');
    expect(await fs.readlink(path.join(dest, 'to-link'))).toBe('kept');
    const gone = report.projects.find((p) => p.name === 'gone');
    expect(gone).toMatchObject({ status: 'ok', filesDeleted: 4 });
    expect(report.projects.find((p) => p.name === 'renamed')).toMatchObject({ status: 'ok', filesDeleted: 3 });
    // The replaced folders' contents go too (rsync itemizes those under the new entry's name).
    expect(report.totals.filesDeleted).toBeGreaterThanOrEqual(4 + 3 + 2 + 2);
    await run('rsync', [...REFERENCE_RSYNC, `${source}/`, `${dir}/reference/`]);
    expect(await compareTrees(dest, `${dir}/reference`)).toEqual([]);
  });

  test('with --delete, a removed project whose name is not valid UTF-8 leaves the backup; folders protected by --exclude stay', async () => {
    const name = Buffer.from([0x6f, 0x6c, 0x64, 0xe9]); // "oldé" in Latin-1
    const inSource = Buffer.concat([Buffer.from(`${source}/`), name]);
    await fs.mkdir(inSource);
    await fs.writeFile(Buffer.concat([inSource, Buffer.from('/doc.txt')]), 'latin-1 project');
    await writeTree(source, { ...files('kept', 2), ...files('scratch-a', 1) });
    expect((await runBackup({ source, dest, concurrency: 2, delete: true })).ok).toBe(true);
    await fs.rm(inSource, { recursive: true });
    await fs.rm(path.join(source, 'scratch-a'), { recursive: true });
    await writeTree(dest, { 'scratch-only-in-backup/x': 'x' });

    const report = await runBackup({ source, dest, concurrency: 2, delete: true, exclude: ['scratch*'], maxShrinkPercent: 100 });
    expect(report.ok).toBe(true);
    const names = (await fs.readdir(dest, { encoding: 'buffer' })).map((n) => n.toString('latin1')).sort();
    expect(names).toEqual(['.dailysync', 'kept', 'scratch-a', 'scratch-only-in-backup']);
  });

  test(`a project folder named ${ROOT_PROJECT} and the root files each keep their own result`, async () => {
    await writeTree(source, { [`${ROOT_PROJECT}/inside.txt`]: 'p', 'root.txt': 'r', ...files('other', 2) });
    const report = await runBackup({ source, dest, concurrency: 2, delete: true });
    expect(report.ok).toBe(true);
    const entries = report.projects.filter((p) => p.name === ROOT_PROJECT).map((p) => [p.kind, p.filesTotal > 0]);
    expect(entries.sort()).toEqual([
      ['project', true],
      ['root', true],
    ]);
    expect(await fs.readFile(path.join(dest, ROOT_PROJECT, 'inside.txt'), 'utf8')).toBe('p');
    expect(await fs.readFile(path.join(dest, 'root.txt'), 'utf8')).toBe('r');
  });

  test('a project whose name is not valid UTF-8 is backed up under its exact bytes; no U+FFFD folder appears', async () => {
    const name = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
    const project = Buffer.concat([Buffer.from(`${source}/`), name]);
    await fs.mkdir(project);
    await fs.writeFile(Buffer.concat([project, Buffer.from('/doc.txt')]), 'latin-1 project');
    await writeTree(source, files('plain', 2));
    const report = await runBackup({ source, dest, concurrency: 2, delete: true });
    expect(report.ok).toBe(true);
    const backedUp = Buffer.concat([Buffer.from(`${dest}/`), name, Buffer.from('/doc.txt')]);
    expect(await fs.readFile(backedUp, 'utf8')).toBe('latin-1 project');
    const names = await fs.readdir(dest, { encoding: 'buffer' });
    expect(names.some((n) => n.equals(Buffer.from('caf\uFFFD')))).toBe(false);
    expect(names.filter((n) => n.equals(name))).toHaveLength(1);
    await run('rsync', [...REFERENCE_RSYNC, `${source}/`, `${dir}/reference/`]);
    expect(await compareTrees(dest, `${dir}/reference`)).toEqual([]);
  });
});
