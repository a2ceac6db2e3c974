import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ConfigError, SafetyError } from '../../src/errors.js';
import { runBackup } from '../../src/engine/backup.js';
import { readRunState } from '../../src/state/run-state.js';
import { exists, makeTempDir, projectTree, treeDifferences, writeTree } from '../helpers/tree.js';

/** Every file under `root` with its bytes, to prove a refused run changed nothing. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.set(path.relative(root, p), (await fs.readFile(p)).toString('base64'));
    }
  };
  await walk(root);
  return out;
}

describe('guards before anything is written or deleted', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  const mounts: string[] = [];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-guards-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await fs.mkdir(source);
    await writeTree(source, projectTree(['alpha', 'beta', 'gamma']));
    await runBackup({ source, dest, delete: true });
  });
  afterEach(async () => {
    for (const m of mounts.splice(0)) await execa('umount', ['-l', m], { reject: false });
    await cleanup();
  });

  test('an empty source with --delete is refused and the backup is untouched', async () => {
    const before = await snapshot(dest);
    await fs.rm(source, { recursive: true });
    await fs.mkdir(source);
    await expect(runBackup({ source, dest, delete: true })).rejects.toThrow(/is empty and --delete is on/);
    expect(await snapshot(dest)).toEqual(before);
  });

  test('an unmounted source (tmpfs taken away) is refused: the mount differs from the last good run', async () => {
    const mounted = path.join(dir, 'share');
    await fs.mkdir(mounted);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mounted]);
    mounts.push(mounted);
    await writeTree(mounted, projectTree(['alpha', 'beta']));
    const backup = path.join(dir, 'share-backup');
    expect((await runBackup({ source: mounted, dest: backup, delete: true })).ok).toBe(true);
    const before = await snapshot(backup);
    await execa('umount', [mounted]);
    mounts.pop();
    // What is left under the mount point: a stray file on the local disk.
    await writeTree(mounted, { 'stray.txt': 'left on the local disk\n' });
    await expect(runBackup({ source: mounted, dest: backup, delete: true })).rejects.toThrow(/was on tmpfs tmpfs at the last run/);
    expect(await snapshot(backup)).toEqual(before);
  });

  test('a source that shrank by more than --max-shrink is refused with --delete; without --delete it runs', async () => {
    const before = await snapshot(dest);
    // Both projects lose their contents: about half of all entries.
    for (const p of ['alpha', 'beta']) for (const sub of ['sub 0', 'sub 1']) await fs.rm(path.join(source, p, sub), { recursive: true });
    const error = await runBackup({ source, dest, delete: true, maxShrinkPercent: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(/fewer than the \d+ of the last run \(limit --max-shrink 30%\)/);
    expect(await snapshot(dest)).toEqual(before);
    // Raising the limit is the explicit way to accept the removal.
    const report = await runBackup({ source, dest, delete: true, maxShrinkPercent: 100 });
    expect(report.ok).toBe(true);
    expect(await exists(path.join(dest, 'alpha', 'sub 0'))).toBe(false);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('missing marker files are refused; present ones pass and the backup marker survives --delete', async () => {
    await expect(runBackup({ source, dest, delete: true, sourceMarker: '.prod-mounted' })).rejects.toThrow(/marker file .*\.prod-mounted is missing/);
    await expect(runBackup({ source, dest, delete: true, destMarker: '.backup-volume' })).rejects.toThrow(/marker file .*\.backup-volume is missing/);
    await writeTree(source, { '.prod-mounted': '' });
    await writeTree(dest, { '.backup-volume': 'this is the backup disk\n' });
    const report = await runBackup({ source, dest, delete: true, sourceMarker: '.prod-mounted', destMarker: '.backup-volume' });
    expect(report.ok).toBe(true);
    expect(await fs.readFile(path.join(dest, '.backup-volume'), 'utf8')).toBe('this is the backup disk\n');
  });

  test('a backup root on the wrong filesystem type is refused; the right one passes', async () => {
    const volume = path.join(dir, 'volume');
    await fs.mkdir(volume);
    await expect(runBackup({ source, dest: path.join(volume, 'b'), destFsTypes: ['tmpfs'] })).rejects.toThrow(/not tmpfs: mount the backup volume/);
    expect(await exists(path.join(volume, 'b'))).toBe(false);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', volume]);
    mounts.push(volume);
    const report = await runBackup({ source, dest: path.join(volume, 'b'), destFsTypes: 'nfs4,tmpfs' });
    expect(report.ok).toBe(true);
    expect(await treeDifferences(source, path.join(volume, 'b'))).toEqual([]);
  });

  test('overlapping paths (through a symlink) are refused before anything is written', async () => {
    const link = path.join(dir, 'link-to-prod');
    await fs.symlink(source, link);
    const before = await snapshot(source);
    await expect(runBackup({ source, dest: path.join(link, 'nested-backup') })).rejects.toThrow(ConfigError);
    expect(await snapshot(source)).toEqual(before);
  });

  test('--max-delete is all or nothing: over budget nothing is deleted in any project; within budget all are', async () => {
    await fs.rm(path.join(source, 'alpha', 'sub 0'), { recursive: true });
    await fs.rm(path.join(source, 'beta', 'sub 1', 'file-1.dat'));
    const before = await snapshot(dest);
    // alpha loses a folder and 2 files, beta 1 file: 4 deletions.
    const error = await runBackup({ source, dest, delete: true, maxDelete: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SafetyError);
    expect((error as Error).message).toMatch(/would delete 4 of \d+ entries .*over --max-delete 3: nothing was deleted/);
    expect(await snapshot(dest)).toEqual(before);
    await expect(runBackup({ source, dest, delete: true, maxDelete: '10%' })).rejects.toThrow(/over --max-delete 10% \(= \d\)/);
    expect(await snapshot(dest)).toEqual(before);
    const report = await runBackup({ source, dest, delete: true, maxDelete: 4 });
    expect(report.ok).toBe(true);
    expect(report.safety?.deletionForecast?.deletions).toBe(4);
    expect(report.totals.filesDeleted).toBe(4);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a good run records what it saw in the shared run state', async () => {
    const state = await readRunState(dest);
    expect(state.version).toBe(1);
    const runs = (state['safety'] as { lastGoodRuns: Record<string, { files: number }> }).lastGoodRuns;
    expect(Object.values(runs)[0]?.files).toBeGreaterThan(9);
  });
});
