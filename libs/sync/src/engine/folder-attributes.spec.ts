import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { makeTempDir, writeTree } from '../../test/helpers/tree.js';
import { discoverProjects } from '../discovery/discover.js';
import { resolveBackupOptions } from '../options.js';
import type { SyncTask } from '../plan/task.js';
import type { TaskResult } from '../report/types.js';
import { restoreSplitFolderTimes } from './split-folder-times.js';
import { FoldersComparedEarly, restoreTaskFolderTimes } from './task-folder-times.js';
import { WrittenFolders, type FolderRoots } from './folder-attributes.js';
import type { FolderAttributes } from '../plan/estimate.js';

const okResult = (id: string): TaskResult => ({
  id, project: id, kind: 'project', status: 'ok', exitCode: 0, meaning: 'success', error: null, attempts: [],
  filesTransferred: 0, bytesTransferred: 0, filesDeleted: 0, filesTotal: 0, bytesTotal: 0, startedAt: null, finishedAt: null, durationMs: 0,
});

// The pass that sets project folders' times again after the transfer (rsync may leave a late
// time). With both roots as local paths it compares first and copies only the folders that
// differ: synchronously on local disks, through the thread pool on a NAS mount (both ways here).
describe.each([
  ['on local disks', true],
  ['as on a NAS mount', false],
])('restoreTaskFolderTimes, comparing %s', (_how, localDisks) => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let log: string;
  let rsyncPath: string;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-folder-times-'));
    await writeTree(path.join(dir, 'src'), { 'a/1': 'a', 'b/2': 'b', 'c/3': 'c' });
    await execa('rsync', ['-a', `${dir}/src/`, `${dir}/dst/`]);
    // rsync may leave a folder with a late time (the reason for the pass): start from exact ones.
    for (const n of ['a', 'b', 'c']) await execa('touch', ['-h', '-r', `${dir}/src/${n}`, `${dir}/dst/${n}`]);
    // The real rsync, with the folder list it is given written to a log first.
    log = path.join(dir, 'rsync.log');
    rsyncPath = path.join(dir, 'rsync-logged');
    await fs.writeFile(
      rsyncPath,
      `#!/bin/sh\nfor a in "$@"; do case "$a" in --files-from=*) tr '\\0' '\\n' < "\${a#--files-from=}" >> '${log}';; esac; done\nexec rsync "$@"\n`,
      { mode: 0o755 },
    );
  });
  afterEach(() => cleanup());

  const tasks: SyncTask[] = ['a', 'b', 'c'].map((n) => ({ id: n, project: n, kind: 'project', relPath: n, excludeTopLevelDirs: [], weight: 1 }));
  const okResults = (): Map<string, TaskResult> => new Map(tasks.map((t) => [t.id, okResult(t.id)]));
  const roots = (): FolderRoots => ({ source: path.join(dir, 'src'), dest: path.join(dir, 'dst'), localDisks });
  /** The folders the closing pass copied again (its rsync's list). */
  const run = async (compare: boolean, written?: WrittenFolders, early?: FoldersComparedEarly): Promise<string[]> => {
    const { source, dest } = roots();
    await fs.rm(log, { force: true });
    await restoreTaskFolderTimes(tasks, resolveBackupOptions({ source, dest, rsyncPath }), okResults(), await discoverProjects(source, [], []), undefined, compare ? roots() : undefined, written, early);
    return (await fs.readFile(log, 'utf8').catch(() => '')).split('\n').filter((l) => l !== '');
  };
  /** What a checking rsync would still change, to the nanosecond (the backup root's own time aside). */
  const leftToCopy = async (): Promise<string[]> => {
    const { stdout } = await execa('rsync', ['-ani', '--modify-window=-1', `${dir}/src/`, `${dir}/dst/`]);
    return stdout.split('\n').filter((l) => l !== '' && l !== '.d..t...... ./');
  };
  const comparedEarly = async (walked?: ReadonlyMap<string, FolderAttributes>): Promise<FoldersComparedEarly> =>
    new FoldersComparedEarly(roots(), await discoverProjects(path.join(dir, 'src'), [], []), undefined, walked);

  test('only a folder whose time differs is copied again, and no rsync runs when none does', async () => {
    await execa('touch', ['-d', '2001-02-03 04:05:06.123456789', path.join(dir, 'dst/b')]);
    expect(await run(true)).toEqual(['./b']);
    // Fixed to the nanosecond: a checking rsync has nothing to do.
    expect(await leftToCopy()).toEqual([]);
    expect(await run(true)).toEqual([]);
  });

  test('a changed mode counts as a difference too; without the comparison every folder is copied', async () => {
    await fs.chmod(path.join(dir, 'dst/c'), 0o700);
    expect(await run(true)).toEqual(['./c']);
    expect((await fs.stat(path.join(dir, 'dst/c'))).mode & 0o777).toBe((await fs.stat(path.join(dir, 'src/c'))).mode & 0o777);
    expect(await run(false)).toEqual(['./a', './b', './c']);
  });

  test('folders compared as their task ended are copied again at the end by what was found then, the others compared at the end', async () => {
    const { dest } = roots();
    const results = okResults();
    const early = await comparedEarly();
    // Task a ends with its folder's time late, b with its folder exact; c is compared only at the end.
    await execa('touch', ['-d', '2001-02-03 04:05:06', path.join(dest, 'a')]);
    early.taskEnded(tasks[0]!, results);
    early.taskEnded(tasks[1]!, results);
    await execa('touch', ['-d', '2001-02-03 04:05:06', path.join(dest, 'c')]);
    expect(await run(true, undefined, early)).toEqual(['./a', './c']);
    expect(await leftToCopy()).toEqual([]);
    // A failed task's folder is not compared as it ends, nor copied again.
    await execa('touch', ['-d', '2001-02-03 04:05:06', path.join(dest, 'b')]);
    const failed = await comparedEarly();
    failed.taskEnded(tasks[1]!, new Map([['b', { ...okResult('b'), status: 'failed' as const }]]));
    expect(await failed.differingIn(tasks[1]!)).toEqual([]);
  });

  test("a project folder the plan's walk looked up is compared with that lookup: a late copy is found, a source changed since is set again", async () => {
    const { source, dest } = roots();
    const results = okResults();
    const walked = new Map(await Promise.all(['a', 'b', 'c'].map(async (n) => [n, await fs.lstat(path.join(source, n), { bigint: true })] as const)));
    // The source side is not looked up again: with a and b gone from the source, their walked
    // lookups still match their exact copies (a lookup now would find nothing and call them different).
    await fs.rename(path.join(source, 'a'), path.join(dir, 'a-moved'));
    await fs.rename(path.join(source, 'b'), path.join(dir, 'b-moved'));
    const notLookedUp = await comparedEarly(walked);
    notLookedUp.taskEnded(tasks[0]!, results);
    notLookedUp.taskEnded(tasks[1]!, results);
    expect(await notLookedUp.differingIn(tasks[0]!)).toEqual([]);
    expect(await notLookedUp.differingIn(tasks[1]!)).toEqual([]);
    await fs.rename(path.join(dir, 'a-moved'), path.join(source, 'a'));
    await fs.rename(path.join(dir, 'b-moved'), path.join(source, 'b'));
    // a's copy left late (as rsync's rename into it does), b's source folder changed after the walk
    // (a file added): both differ from what the walk saw, and the closing pass sets both from the source as it is now.
    await execa('touch', ['-d', '2001-02-03 04:05:06', path.join(dest, 'a')]);
    await fs.writeFile(path.join(source, 'b', 'new'), 'n');
    await execa('rsync', ['-a', `${source}/b/`, `${dest}/b/`]);
    await execa('touch', ['-h', '-d', '2001-02-03 04:05:06', path.join(source, 'b')]);
    await execa('touch', ['-h', '-r', path.join(source, 'b'), path.join(dest, 'b')]);
    const early = await comparedEarly(walked);
    for (const task of tasks) early.taskEnded(task, results);
    expect(await run(true, undefined, early)).toEqual(['./a', './b']);
    expect(await leftToCopy()).toEqual([]);
  });

  test('only folders a task wrote into are considered: a task that wrote nothing needs no look', async () => {
    for (const n of ['a', 'b']) await execa('touch', ['-d', '2001-02-03 04:05:06', path.join(dir, 'dst', n)]);
    const written = new WrittenFolders();
    // What rsync lists without writing into the folder: a folder's time set, an unchanged file, a file's mode.
    written.note(tasks[0]!, './', '.d..t......');
    written.note(tasks[0]!, '1', '.f         ');
    written.note(tasks[0]!, '1', '.f...p.....');
    written.note(tasks[1]!, '2', '>f.st......');
    expect(await run(true, written)).toEqual(['./b']);
    expect(await run(true, new WrittenFolders())).toEqual([]);
    // Created entries, hard links, deletions and a file pushed to a remote backup write into a folder too.
    for (const itemize of ['cd+++++++++', 'cL+++++++++', 'hf+++++++++', '*deleting  ', '<f.st......']) {
      await execa('touch', ['-d', '2001-02-03 04:05:06', path.join(dir, 'dst/a')]);
      const w = new WrittenFolders();
      w.note(tasks[0]!, 'x', itemize);
      expect(await run(true, w)).toEqual(['./a']);
    }
  });
});

test('a batch\'s writes count for the project named by the path\'s first folder, or for all of its projects when none is', () => {
  const batch: SyncTask = { id: '(batch 1)', project: '(batch 1)', kind: 'batch', relPath: '', excludeTopLevelDirs: 'all', weight: 1, projects: ['a', 'b', 'c'] };
  const written = new WrittenFolders();
  written.note(batch, 'b/deep/file', '>f+++++++++');
  written.note(batch, 'a/unchanged', '.f         ');
  expect(['a', 'b', 'c'].map((p) => written.has(p))).toEqual([false, true, false]);
  written.note(batch, 'not a project/x', '>f+++++++++');
  expect(['a', 'b', 'c'].map((p) => written.has(p))).toEqual([true, true, true]);
});

test('the backup root\'s time is set again at the end only when it differs (compared first, both ways)', async () => {
  const { dir, cleanup } = await makeTempDir('dailysync-root-time-');
  try {
    await writeTree(path.join(dir, 'src'), { 'a/1': 'a', 'top.txt': 't' });
    await execa('rsync', ['-a', `${dir}/src/`, `${dir}/dst/`]);
    await execa('touch', ['-h', '-r', `${dir}/src`, `${dir}/dst`]);
    const calls = path.join(dir, 'calls.log');
    const rsyncPath = path.join(dir, 'rsync-counted');
    await fs.writeFile(rsyncPath, `#!/bin/sh\necho call >> '${calls}'\nexec rsync "$@"\n`, { mode: 0o755 });
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    const root: SyncTask = { id: '.', project: '(root)', kind: 'root', relPath: '', excludeTopLevelDirs: 'all', weight: 1 };
    const count = async (): Promise<number> => (await fs.readFile(calls, 'utf8').catch(() => '')).split('\n').filter((l) => l === 'call').length;
    for (const localDisks of [true, false]) {
      await fs.rm(calls, { force: true });
      await restoreSplitFolderTimes([root], resolveBackupOptions({ source, dest, rsyncPath }), new Map([['.', okResult('.')]]), undefined, root, { source, dest, localDisks });
      expect(await count()).toBe(0);
      // Only its time differs (what creating entries in it leaves): set to the nanosecond without an rsync.
      await execa('touch', ['-d', '2001-02-03 04:05:06.123456789', dest]);
      await restoreSplitFolderTimes([root], resolveBackupOptions({ source, dest, rsyncPath }), new Map([['.', okResult('.')]]), undefined, root, { source, dest, localDisks });
      expect(await count()).toBe(0);
      expect((await fs.stat(dest, { bigint: true })).mtimeNs).toBe((await fs.stat(source, { bigint: true })).mtimeNs);
      // The root pass ran in another shard (no result here): its ACLs and xattrs may not be set yet, so rsync sets everything.
      await execa('touch', ['-d', '2001-02-03 04:05:06.123456789', dest]);
      await restoreSplitFolderTimes([root], resolveBackupOptions({ source, dest, rsyncPath }), new Map(), undefined, root, { source, dest, localDisks });
      expect(await count()).toBe(1);
      await fs.rm(calls, { force: true });
      // Its mode differs too: one rsync sets both.
      await fs.chmod(dest, 0o700);
      await execa('touch', ['-d', '2001-02-03 04:05:06.5', dest]);
      await restoreSplitFolderTimes([root], resolveBackupOptions({ source, dest, rsyncPath }), new Map([['.', okResult('.')]]), undefined, root, { source, dest, localDisks });
      expect(await count()).toBe(1);
      const [s, d] = await Promise.all([fs.stat(source, { bigint: true }), fs.stat(dest, { bigint: true })]);
      expect([d.mtimeNs, d.mode]).toEqual([s.mtimeNs, s.mode]);
    }
  } finally {
    await cleanup();
  }
});

test('with --shard, a run that ran a part of a split folder sets that folder\'s time again, though another shard owns the folder', async () => {
  const { dir, cleanup } = await makeTempDir('dailysync-shard-split-time-');
  try {
    await writeTree(path.join(dir, 'src'), { 'big/own.txt': 'o', 'big/part/1': 'p' });
    await execa('rsync', ['-a', `${dir}/src/`, `${dir}/dst/`]);
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    // The folder's own pass (shard 1) and its part (shard 2), planned alike by both shards.
    const top: SyncTask = { id: 'big', project: 'big', kind: 'project-top', relPath: 'big', excludeTopLevelDirs: ['part'], weight: 1 };
    const part: SyncTask = { id: 'big/part', project: 'big', kind: 'subtree', relPath: 'big/part', excludeTopLevelDirs: [], weight: 1 };
    const other: SyncTask = { id: 'small', project: 'small', kind: 'project', relPath: 'small', excludeTopLevelDirs: [], weight: 1 };
    // What shard 2's part leaves when it creates its folder after shard 1 has set big's time: a late time.
    await execa('touch', ['-d', '2001-02-03 04:05:06.5', path.join(dest, 'big')]);
    const options = resolveBackupOptions({ source, dest });
    // A shard that ran nothing below big leaves it alone.
    await restoreSplitFolderTimes([other], options, new Map([['small', okResult('small')]]), undefined, undefined, { source, dest, localDisks: true }, [top, part, other]);
    expect((await fs.stat(path.join(dest, 'big'), { bigint: true })).mtimeNs).not.toBe((await fs.stat(path.join(source, 'big'), { bigint: true })).mtimeNs);
    // A shard whose part failed leaves it too: that run is failed anyway, and the next run sets it.
    await restoreSplitFolderTimes([part], options, new Map([['big/part', { ...okResult('big/part'), status: 'failed' }]]), undefined, undefined, { source, dest, localDisks: true }, [top, part, other]);
    expect((await fs.stat(path.join(dest, 'big'), { bigint: true })).mtimeNs).not.toBe((await fs.stat(path.join(source, 'big'), { bigint: true })).mtimeNs);
    // When setting it fails, the part is marked failed, naming the folder (an rsync that exits 23;
    // the folder's mode differs too, so the time is not set alone).
    await fs.chmod(path.join(dest, 'big'), 0o700);
    const failing = path.join(dir, 'rsync-failing');
    await fs.writeFile(failing, '#!/bin/sh\necho "rsync: simulated failure" >&2\nexit 23\n', { mode: 0o755 });
    const failedRun = new Map([['big/part', okResult('big/part')]]);
    await restoreSplitFolderTimes([part], resolveBackupOptions({ source, dest, rsyncPath: failing }), failedRun, undefined, undefined, { source, dest, localDisks: true }, [top, part, other]);
    expect(failedRun.get('big/part')?.status).toBe('failed');
    expect(failedRun.get('big/part')?.error).toMatch(/times of folder big could not be set/);
    // Shard 2, which ran the part (no result of big's own pass here), sets big's time from the source.
    await restoreSplitFolderTimes([part], options, new Map([['big/part', okResult('big/part')]]), undefined, undefined, { source, dest, localDisks: true }, [top, part, other]);
    expect((await fs.stat(path.join(dest, 'big'), { bigint: true })).mtimeNs).toBe((await fs.stat(path.join(source, 'big'), { bigint: true })).mtimeNs);
  } finally {
    await cleanup();
  }
});
