import fs from 'node:fs/promises';
import path from 'node:path';
import { readRunState, writeRunState } from '../state/run-state.js';
import { readTaskHistory } from '../plan/history.js';
import { ROOT_PROJECT, ROOT_TASK_ID } from '../plan/task.js';
import { runBackup } from './backup.js';
import { exists, makeTempDir, treeDifferences, writeTree } from '../../test/helpers/tree.js';

// Split children with names that are hard to put in a filter rule.
const A = 'glob*[x]?';
const X = 'new\nline';
const Y = 'back\\slash';
const B = '-rf dash';

function files(prefix: string, count: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[`${prefix}/f${i}.dat`] = `${prefix} ${i}\n`;
  return out;
}

/** `big` is most of the tree: its subdirectories A (with X and Y inside) and B are worth their own rsync. */
function bigTree(): Record<string, string> {
  return {
    ...files(`big/${A}/${X}`, 40),
    ...files(`big/${A}/${Y}`, 30),
    ...files(`big/${A}/${Y}/sub/deeper`, 10),
    ...files(`big/${B}`, 30),
    ...files('big/small dir', 3),
    'big/top.txt': 'top\n',
    'big/top2.txt': 'top2\n',
    ...files('other', 5),
    'root file.txt': 'root\n',
  };
}

/** Inode and mtime of every entry below `root`, to prove a run did not touch them. */
async function fingerprint(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await fs.readdir(root, { recursive: true })) {
    const st = await fs.lstat(path.join(root, entry));
    out[entry] = `${st.ino}:${st.mtimeMs}`;
  }
  return out;
}

describe('split projects against real rsync', () => {
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

  test('a split project with --delete: removals at every level are mirrored, nothing outside the project is touched', async () => {
    await writeTree(source, bigTree());
    const first = await runBackup({ source, dest, concurrency: 4, delete: true, planning: { minSplitMs: 0 } });
    expect(first.ok).toBe(true);
    expect(await treeDifferences(source, dest)).toEqual([]);

    // One report entry per project; the split one lists its parts, split three levels deep.
    expect(first.projects.map((p) => p.name).sort()).toEqual(['big', 'other', ROOT_PROJECT].sort());
    const big = first.projects.find((p) => p.name === 'big');
    expect(big?.parts?.map((p) => [p.id, p.kind]).sort()).toEqual(
      [
        ['big', 'project-top'],
        [`big/${A}`, 'subtree'],
        [`big/${A}/${X}`, 'subtree'],
        [`big/${A}/${Y}`, 'subtree'],
        [`big/${A}/${Y}/sub`, 'subtree'],
        [`big/${B}`, 'subtree'],
      ].sort(),
    );
    expect(big?.filesTransferred).toBe(40 + 30 + 10 + 30 + 3 + 2);
    expect(first.projects.find((p) => p.name === 'other')?.parts).toBeUndefined();

    // A project folder only the backup has (deleted below), and the other project's files (must not change).
    await writeTree(dest, { 'backup-only-project/old.txt': 'old\n' });
    const otherBefore = await fingerprint(path.join(dest, 'other'));

    // Remove files and folders at several levels, including whole split-off folders.
    await fs.rm(path.join(source, 'big', B), { recursive: true });
    await fs.rm(path.join(source, 'big', A, Y, 'sub'), { recursive: true });
    await fs.rm(path.join(source, 'big', A, X, 'f3.dat'));
    await fs.rm(path.join(source, 'big', 'small dir'), { recursive: true });
    await fs.rm(path.join(source, 'big', 'top2.txt'));
    await writeTree(source, { [`big/${A}/${X}/new.dat`]: 'new\n', 'big/new dir/n.txt': 'n\n' });

    const second = await runBackup({ source, dest, concurrency: 4, delete: true, planning: { minSplitMs: 0 } });
    expect(second.ok).toBe(true);
    expect(await treeDifferences(path.join(source, 'big'), path.join(dest, 'big'))).toEqual([]);
    expect(await treeDifferences(path.join(source, 'other'), path.join(dest, 'other'))).toEqual([]);
    expect(await exists(path.join(dest, 'big', B))).toBe(false);
    expect(await exists(path.join(dest, 'big', A, Y, 'sub'))).toBe(false);
    expect(await exists(path.join(dest, 'big', 'small dir'))).toBe(false);
    // 1 file + 30 in B + B itself, 10 + sub + deeper, 3 + small dir, top2.
    expect(second.projects.find((p) => p.name === 'big')?.filesDeleted).toBe(1 + 31 + 12 + 4 + 1);
    expect(await fingerprint(path.join(dest, 'other'))).toEqual(otherBefore);
    // A project folder only the backup has is deleted by --delete, as one rsync of the tree does, and reported.
    expect(await exists(path.join(dest, 'backup-only-project'))).toBe(false);
    expect(second.projects.find((p) => p.name === 'backup-only-project')?.filesDeleted).toBe(2);
  });

  test('a link in the backup where a split part copies to is replaced, and nothing is written through it', async () => {
    await writeTree(source, bigTree());
    await runBackup({ source, dest, concurrency: 4, planning: { minSplitMs: 0 } });
    const outside = path.join(dir, 'outside');
    await writeTree(outside, { 'precious.txt': 'precious\n' });
    await fs.rm(path.join(dest, 'big', A), { recursive: true });
    await fs.symlink(outside, path.join(dest, 'big', A));
    const report = await runBackup({ source, dest, concurrency: 4, delete: true, planning: { minSplitMs: 0 } });
    expect(report.ok).toBe(true);
    expect(report.projects.find((p) => p.name === 'big')?.parts?.length).toBeGreaterThan(1);
    expect(await fs.readdir(outside)).toEqual(['precious.txt']);
    expect((await fs.lstat(path.join(dest, 'big', A))).isDirectory()).toBe(true);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test('each run records per-task sizes and durations; history weights decide the start order', async () => {
    await writeTree(source, { ...files('p1', 3), ...files('p2', 3), ...files('p3', 3) });
    const first = await runBackup({ source, dest, concurrency: 1 });
    const history = readTaskHistory(await readRunState(dest));
    expect([...history.keys()].sort()).toEqual(['p1', 'p2', 'p3', ROOT_TASK_ID].sort());
    // rsync counts the folder itself plus its 3 files.
    expect(history.get('p2')).toMatchObject({ project: 'p2', kind: 'project', relPath: 'p2', files: 4, bytes: first.projects.find((p) => p.name === 'p2')?.bytesTotal });
    const startOrder = (r: typeof first): string[] =>
      r.projects
        .filter((p) => p.name !== ROOT_PROJECT)
        .sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''))
        .map((p) => p.name);
    // Equal sizes without history: name order.
    expect(startOrder(first)).toEqual(['p1', 'p2', 'p3']);

    // Pretend p3 took longest last night, then p2: that is the order now.
    const state = await readRunState(dest);
    const tasks = (state['throughput'] as { tasks: Record<string, { durationMs: number }> }).tasks;
    tasks['p1']!.durationMs = 10;
    tasks['p2']!.durationMs = 5000;
    tasks['p3']!.durationMs = 90_000;
    await writeRunState(dest, { ...state, unknownSection: { keep: true } });
    const second = await runBackup({ source, dest, concurrency: 1 });
    expect(startOrder(second)).toEqual(['p3', 'p2', 'p1']);
    // Sections this module does not own survive its update.
    expect((await readRunState(dest))['unknownSection']).toEqual({ keep: true });
  });

  test('a dry run plans the same split but writes no history', async () => {
    await writeTree(source, bigTree());
    const report = await runBackup({ source, dest, concurrency: 4, dryRun: true, planning: { minSplitMs: 0 } });
    expect(report.ok).toBe(true);
    expect(report.projects.find((p) => p.name === 'big')?.parts?.length).toBe(6);
    expect(await exists(dest)).toBe(false);
  });

  test('when one closing folder pass fails, the run ends only after the other pass: no rsync of the run outlives it', async () => {
    await writeTree(source, bigTree());
    // A hard link across two tasks gives the run a link pass and its list file.
    await fs.link(path.join(source, 'big/top.txt'), path.join(source, 'other/linked.txt'));
    const closingLog = path.join(dir, 'closing.log');
    const rsyncPath = path.join(dir, 'rsync-wrapped');
    // Real rsync underneath. The link pass (queued last; the root pass, first and one file, has
    // ended by then) removes its list once it has run, so the task folders' closing pass fails
    // reading it, and gives the backup root another time and mode, so the other pass has an rsync
    // to run for the root (a time alone is set without one): that rsync (--exclude=*) takes a
    // second and logs when it ends.
    await fs.writeFile(
      rsyncPath,
      [
        '#!/bin/sh',
        'list=',
        'closing=',
        'for a in "$@"; do case "$a" in --files-from=*/links) list="${a#--files-from=}";; --exclude=\\*) closing=1;; esac; done',
        'if [ -n "$closing" ]; then sleep 1; fi',
        'rsync "$@"; status=$?',
        `if [ -n "$closing" ]; then echo ended >> '${closingLog}'; fi`,
        `if [ -n "$list" ]; then rm -f "$list"; chmod 700 '${dest}'; touch -d 2001-02-03 '${dest}'; fi`,
        'exit $status',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    await expect(runBackup({ source, dest, rsyncPath, concurrency: 4, delete: true, planning: { minSplitMs: 0 } })).rejects.toThrow(/ENOENT.*links/);
    // When the run gave up, the other pass's closing rsync had ended (run side by side, the run
    // used to give up at once, with that rsync still running and the lock already released).
    expect((await fs.readFile(closingLog, 'utf8').catch(() => '')).split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(1);
  });

  test('--concurrency auto (the default) completes a split backup correctly and reports its decisions', async () => {
    await writeTree(source, bigTree());
    const report = await runBackup({ source, dest, delete: true, planning: { minSplitMs: 0 } });
    expect(report.concurrency).toBe('auto');
    expect(report.ok).toBe(true);
    expect(Array.isArray(report.concurrencyChanges)).toBe(true);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });
});
