import fs from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { ROOT_PROJECT } from '../plan/task.js';
import { runBackup } from './backup.js';
import { backupEntries, exists, makeTempDir, projectTree, treeDifferences, writeTree } from '../../test/helpers/tree.js';

const EIGHT = ['alpha', 'beta', 'gamma', 'kappa', 'delta', 'epsilon', 'zeta', 'omega'];

describe('runBackup against real rsync', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'prod_backup');
    await fs.mkdir(source);
  });
  afterEach(() => cleanup());

  test('a full backup of 8 projects and root files produces an identical tree', async () => {
    await writeTree(source, projectTree(EIGHT));
    const report = await runBackup({ source, dest, concurrency: 4 });
    expect(report.ok).toBe(true);
    expect(report.projects.map((p) => p.name).sort()).toEqual([...EIGHT, ROOT_PROJECT].sort());
    expect(report.projects.every((p) => p.status === 'ok' && p.exitCode === 0)).toBe(true);
    // 3 files in each of 8 projects, plus the root file.
    expect(report.totals.filesTransferred).toBe(25);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('a second run after a change transfers only the change', async () => {
    await writeTree(source, projectTree(EIGHT));
    await runBackup({ source, dest });
    await writeTree(source, { 'beta/sub 0/file-0.dat': 'changed\n', 'gamma/new file.txt': 'new\n' });
    const report = await runBackup({ source, dest });
    expect(report.totals.filesTransferred).toBe(2);
    const byName = new Map(report.projects.map((p) => [p.name, p]));
    expect(byName.get('beta')?.filesTransferred).toBe(1);
    expect(byName.get('gamma')?.filesTransferred).toBe(1);
    expect(byName.get('alpha')?.filesTransferred).toBe(0);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('projects run at the same time: their rsync time spans overlap', async () => {
    // 256 KiB per project at 128 KiB/s keeps each rsync busy for about two seconds.
    const big = Buffer.alloc(256 * 1024, 7);
    await writeTree(source, { 'p1/clip.mov': big, 'p2/clip.mov': big, 'p3/clip.mov': big, 'p4/clip.mov': big });
    const report = await runBackup({ source, dest, concurrency: 4, bwlimitKiB: 128, include: ['p*'] });
    const spans = report.projects.map((p) => [Date.parse(p.startedAt ?? ''), Date.parse(p.finishedAt ?? '')] as const);
    expect(spans).toHaveLength(4);
    const latestStart = Math.max(...spans.map((s) => s[0]));
    const earliestEnd = Math.min(...spans.map((s) => s[1]));
    expect(latestStart).toBeLessThan(earliestEnd);
    expect(report.durationMs).toBeLessThan(spans.reduce((sum, s) => sum + (s[1] - s[0]), 0));
  });

  test('concurrency 1 runs the projects one after another', async () => {
    await writeTree(source, projectTree(['a', 'b', 'c']));
    // One rsync per project: small projects would otherwise share one rsync and one time span.
    const report = await runBackup({ source, dest, concurrency: 1, planning: { batchBelowMs: 0 } });
    const spans = report.projects
      .map((p) => [Date.parse(p.startedAt ?? ''), Date.parse(p.finishedAt ?? '')] as const)
      .sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  test('odd project and file names are backed up exactly and never read as options', async () => {
    const canary = path.join(dir, 'pwned');
    const names = [`-e touch ${canary}`, '--delete', '#hash', ';semicolon', 'with space', 'new\nline', 'back\\slash', `quote"s'`, 'glob*[x]?', 'ünïcødé'];
    const files: Record<string, string> = {};
    for (const n of names) {
      files[`${n}/${n}.txt`] = `content of ${n}\n`;
      files[`${n}/-rf`] = 'dash file\n';
    }
    files['#root file'] = 'root\n';
    files['-root dash'] = 'root\n';
    await writeTree(source, files);
    const report = await runBackup({ source, dest });
    expect(report.ok).toBe(true);
    expect(await exists(canary)).toBe(false);
    expect(await treeDifferences(source, dest)).toEqual([]);
    expect(await backupEntries(dest)).toEqual((await fs.readdir(source)).sort());
  });

  test('files lying directly in the source root are backed up, and symlinks are kept as links', async () => {
    await writeTree(source, { 'top.txt': 'top\n', 'alpha/a.txt': 'a\n' });
    await fs.symlink('alpha', path.join(source, 'link-to-alpha'));
    await fs.symlink('/etc/passwd', path.join(source, 'outside-link'));
    const report = await runBackup({ source, dest });
    expect(report.ok).toBe(true);
    expect(await fs.readFile(path.join(dest, 'top.txt'), 'utf8')).toBe('top\n');
    expect(await fs.readlink(path.join(dest, 'link-to-alpha'))).toBe('alpha');
    expect(await fs.readlink(path.join(dest, 'outside-link'))).toBe('/etc/passwd');
    expect(report.projects.find((p) => p.name === ROOT_PROJECT)?.filesTransferred).toBe(1);
  });

  test('--include and --exclude select projects; the others are reported as skipped', async () => {
    await writeTree(source, projectTree(['alpha', 'beta', 'cam1', 'cam2']));
    const report = await runBackup({ source, dest, include: ['alpha', 'cam*'], exclude: ['cam2'] });
    const status = Object.fromEntries(report.projects.map((p) => [p.name, p.status]));
    expect(status).toEqual({ alpha: 'ok', cam1: 'ok', beta: 'skipped', cam2: 'skipped' });
    expect(await backupEntries(dest)).toEqual(['alpha', 'cam1']);
  });

  test('--dry-run writes nothing', async () => {
    await writeTree(source, projectTree(['alpha', 'beta']));
    const report = await runBackup({ source, dest, dryRun: true });
    expect(report.dryRun).toBe(true);
    expect(report.totals.filesTransferred).toBe(7);
    expect(await exists(dest)).toBe(false);
  });

  test('deletion is opt-in: extra backup files stay unless --delete is given', async () => {
    await writeTree(source, projectTree(['alpha']));
    await runBackup({ source, dest });
    await fs.rm(path.join(source, 'alpha/sub 0/file-0.dat'));
    await runBackup({ source, dest });
    expect(await exists(path.join(dest, 'alpha/sub 0/file-0.dat'))).toBe(true);
    const report = await runBackup({ source, dest, delete: true });
    expect(await exists(path.join(dest, 'alpha/sub 0/file-0.dat'))).toBe(false);
    expect(report.projects.find((p) => p.name === 'alpha')?.filesDeleted).toBe(1);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('one failed project does not stop the others', async () => {
    await writeTree(source, projectTree(['alpha', 'beta', 'gamma']));
    // A file where the backup folder of beta should be: rsync cannot create the directory.
    await writeTree(dest, { beta: 'not a directory\n' });
    // One rsync per project (a shared rsync of the root would replace the file, as one rsync -a does).
    const report = await runBackup({ source, dest, concurrency: 1, planning: { batchBelowMs: 0 } });
    const beta = report.projects.find((p) => p.name === 'beta');
    expect(beta?.status).toBe('failed');
    expect(beta?.exitCode).not.toBe(0);
    expect(beta?.error).toBeTruthy();
    expect(report.ok).toBe(false);
    expect(report.totals.failed).toBe(1);
    expect(await treeDifferences(path.join(source, 'alpha'), path.join(dest, 'alpha'))).toEqual([]);
    expect(await treeDifferences(path.join(source, 'gamma'), path.join(dest, 'gamma'))).toEqual([]);
    // The state keeps what the finished tasks measured, but no good run for the shrink guard.
    const state = JSON.parse(await fs.readFile(path.join(dest, '.dailysync/state.json'), 'utf8'));
    expect(Object.keys(state.throughput.tasks).sort()).toEqual(expect.arrayContaining(['alpha', 'gamma']));
    expect(state.safety).toBeUndefined();
    // A good run records both, in the same write as the history.
    await fs.rm(path.join(dest, 'beta'));
    expect((await runBackup({ source, dest, concurrency: 1, planning: { batchBelowMs: 0 } })).ok).toBe(true);
    const good = JSON.parse(await fs.readFile(path.join(dest, '.dailysync/state.json'), 'utf8'));
    expect(Object.keys(good.throughput.tasks)).toEqual(expect.arrayContaining(['alpha', 'beta', 'gamma']));
    expect(Object.values(good.safety.lastGoodRuns)).toHaveLength(1);
  });

  describe('bad input is refused before anything is written', () => {
    const cases: Array<[string, () => Parameters<typeof runBackup>[0], RegExp]> = [
      ['missing source', () => ({ source: path.join(dir, 'nope'), dest }), /does not exist/],
      ['source is a file', () => ({ source: path.join(source, 'f.txt'), dest }), /is not a directory/],
      ['relative source', () => ({ source: 'prod', dest }), /relative path/],
      ['relative dest', () => ({ source, dest: 'backup' }), /relative path/],
      ['empty source', () => ({ source: '', dest }), /--source is missing/],
      ['empty dest', () => ({ source, dest: '  ' }), /--dest is missing/],
      ['dest equals source', () => ({ source, dest: `${source}/` }), /same folder/],
      ['dest inside source', () => ({ source, dest: path.join(source, 'backup') }), /inside --source/],
      ['source inside dest', () => ({ source, dest: dir }), /inside --dest/],
      ['concurrency 0', () => ({ source, dest, concurrency: 0 }), /at least 1/],
      ['dest parent missing', () => ({ source, dest: path.join(dir, 'no/such/backup') }), /parent .* does not exist/],
      ['rsync not installed', () => ({ source, dest, rsyncPath: 'rsync-not-installed-here' }), /rsync is not installed.*apt-get install -y rsync/],
      // The checks run side by side; when several fail, rsync's error is still the one reported.
      ['rsync not installed and the source missing', () => ({ source: path.join(dir, 'nope'), dest, rsyncPath: 'rsync-not-installed-here' }), /rsync is not installed/],
    ];
    test.each(cases)('%s', async (_name, request, message) => {
      await writeTree(source, { 'alpha/a.txt': 'a\n', 'f.txt': 'f\n' });
      const before = await fs.readdir(dir);
      const run = runBackup(request());
      await expect(run).rejects.toBeInstanceOf(ConfigError);
      await expect(run).rejects.toThrow(message);
      expect(await fs.readdir(dir)).toEqual(before);
      expect(await exists(dest)).toBe(false);
    });

    test('a destination reached through a symlink into the source is refused', async () => {
      await writeTree(source, { 'alpha/a.txt': 'a\n' });
      await fs.symlink(source, path.join(dir, 'sneaky'));
      await expect(runBackup({ source, dest: path.join(dir, 'sneaky', 'backup') })).rejects.toThrow(/inside --source/);
      expect(await exists(path.join(source, 'backup'))).toBe(false);
    });
  });
});
