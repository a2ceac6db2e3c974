import fs from 'node:fs/promises';
import path from 'node:path';
import { discoverProjects } from '../discovery/discover.js';
import { ROOT_TASK_ID, type SyncTask } from '../plan/task.js';
import { listBackupTop, projectsReplacingEntries, waitsForRootPass } from './backup-top.js';
import { runBackup } from './backup.js';
import { makeTempDir, treeDifferences } from '../../test/helpers/tree.js';

const rootTask: SyncTask = { id: ROOT_TASK_ID, project: '(root)', kind: 'root', relPath: '', excludeTopLevelDirs: 'all', weight: 0 };

const REPLACING_PROJECTS = 60;

/**
 * A source whose root pass is kept busy by 1,500 files at the top, so that its deletions (at its
 * end: --delete-delay) come after the projects' tasks have started, and 60 projects `p<i>` holding
 * one file at `file`.
 */
async function writeBusyRootAndProjects(source: string, file: string): Promise<void> {
  await fs.mkdir(source);
  for (let i = 0; i < 1500; i++) await fs.writeFile(path.join(source, `top-${i}`), 't');
  for (let i = 0; i < REPLACING_PROJECTS; i++) {
    await fs.mkdir(path.dirname(path.join(source, `p${i}`, file)), { recursive: true });
    await fs.writeFile(path.join(source, `p${i}`, file), `${i}\n`);
  }
}

/** A backup root holding, where each project's folder goes, a file (even i) or a link (odd i). */
async function writeEntriesTheProjectsReplace(dest: string): Promise<void> {
  await fs.mkdir(dest);
  for (let i = 0; i < REPLACING_PROJECTS; i++) {
    if (i % 2 === 0) await fs.writeFile(path.join(dest, `p${i}`), 'was a file\n');
    else await fs.symlink('elsewhere', path.join(dest, `p${i}`));
  }
}

describe("the backup root's own entries", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('dailysync-backup-top-')));
  afterEach(() => cleanup());

  test('a backup root that does not exist yet has no entries; a remote one is not listed', async () => {
    expect(await listBackupTop({ dest: path.join(dir, 'none'), destLocation: { kind: 'local', path: path.join(dir, 'none') } }, false)).toEqual({ folders: [], others: [] });
    expect(await listBackupTop({ dest: 'host:/x', destLocation: { kind: 'ssh', host: 'host', path: '/x' } as never }, true)).toBeUndefined();
  });

  test('a project whose backup entry is a file or a link waits for the root pass, which deletes that entry; so does the link pass', async () => {
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    for (const name of ['was-file', 'was-link', 'plain', 'other']) await fs.mkdir(path.join(source, name), { recursive: true });
    await fs.mkdir(path.join(dest, 'plain'), { recursive: true });
    await fs.writeFile(path.join(dest, 'was-file'), 'x');
    await fs.symlink('elsewhere', path.join(dest, 'was-link'));
    const replacing = projectsReplacingEntries(await discoverProjects(source, [], []), await listBackupTop({ dest, destLocation: { kind: 'local', path: dest } }, true));
    expect([...replacing].sort()).toEqual(['was-file', 'was-link']);
    const project = (name: string): SyncTask => ({ id: name, project: name, kind: 'project', relPath: name, excludeTopLevelDirs: [], weight: 0 });
    const batch = (projects: string[]): SyncTask => ({ id: '(batch 1)', project: '(batch 1)', kind: 'batch', relPath: '', excludeTopLevelDirs: 'all', weight: 0, projects });
    const links: SyncTask = { id: '(hard links)', project: '(hard links)', kind: 'links', relPath: '', excludeTopLevelDirs: 'all', weight: 0 };
    expect([project('was-file'), project('plain'), batch(['other', 'was-link']), batch(['plain', 'other']), links, rootTask].map((t) => waitsForRootPass(t, replacing))).toEqual([true, false, true, false, true, false]);
    expect(waitsForRootPass(links, new Set())).toBe(false);
  });

  test('projects that replace files and links at the top of the backup, in batches and alone, with --delete: every run ok and exact', async () => {
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    await writeBusyRootAndProjects(source, 'sub/f');
    for (const round of [0, 1]) {
      await fs.rm(dest, { recursive: true, force: true });
      await writeEntriesTheProjectsReplace(dest);
      // Batched, then each project its own rsync.
      const report = await runBackup({ source, dest, concurrency: 4, delete: true, maxShrinkPercent: 100, ...(round === 1 ? { planning: { batchBelowMs: 0 } } : {}) });
      expect(report.projects.filter((p) => p.status !== 'ok').map((p) => `${p.name}: ${p.error}`)).toEqual([]);
      expect(await treeDifferences(source, dest)).toEqual([]);
    }
  });

  test('with --shard, a project on another shard that replaces a file or link at the top first: the root pass runs again and every shard ends ok', async () => {
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    await writeBusyRootAndProjects(source, 'f');
    await writeEntriesTheProjectsReplace(dest);
    const reports = await Promise.all([1, 2].map((index) => runBackup({ source, dest, concurrency: 4, delete: true, maxShrinkPercent: 100, shard: `${index}/2` })));
    expect(reports.flatMap((r) => r.projects).filter((p) => p.status !== 'ok' && p.status !== 'skipped').map((p) => `${p.name}: ${p.error}`)).toEqual([]);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });

  test("each project's folder exists before its rsync starts, so no other creator (the link pass, another shard) can make rsync's own mkdir fail", async () => {
    // rsync looks for its destination folder and creates it when missing; a folder made by another
    // process in between fails it ("mkdir failed: File exists", seen once in 400 soak nights with
    // three shards). This records, as each rsync starts, whether its destination folder is there.
    const source = path.join(dir, 'src');
    const dest = path.join(dir, 'dst');
    await fs.mkdir(source);
    await fs.writeFile(path.join(source, 'shared'), 's');
    for (let i = 0; i < 6; i++) {
      await fs.mkdir(path.join(source, `p${i}`));
      await fs.link(path.join(source, 'shared'), path.join(source, `p${i}`, 'linked'));
    }
    const log = path.join(dir, 'starts.log');
    const rsyncPath = path.join(dir, 'rsync-logged');
    await fs.writeFile(rsyncPath, `#!/bin/sh\nfor last in "$@"; do :; done\ncase "$last" in */p[0-9]/) if [ -d "$last" ]; then echo "there $last"; else echo "missing $last"; fi >> '${log}';; esac\nexec rsync "$@"\n`, { mode: 0o755 });
    const report = await runBackup({ source, dest, rsyncPath, concurrency: 4, delete: true, planning: { batchBelowMs: 0 } });
    expect(report.ok).toBe(true);
    const starts = (await fs.readFile(log, 'utf8')).split('\n').filter((l) => l !== '');
    expect(starts).toHaveLength(6);
    expect(starts.filter((l) => !l.startsWith('there '))).toEqual([]);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });
});
