import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { discoverProjects } from '../../src/discovery/discover.js';
import type { TaskRecord } from '../../src/plan/history.js';
import { planBackup } from '../../src/plan/plan-backup.js';
import { countSourceEntries } from '../../src/safety/count-entries.js';
import { makeTempDir, writeTree } from '../helpers/tree.js';

describe('countSourceEntries (the shrink guard count)', () => {
  test.each([
    ['through the thread pool (a NAS)', false],
    ['on the main thread (this machine\'s disks)', true],
  ])('counts what `find` counts in the selected projects and the root, without following links, listing %s', async (_how, localDisk) => {
    const { dir, cleanup } = await makeTempDir('dailysync-count-');
    try {
      const files: Record<string, string> = { 'root.txt': 'r' };
      for (let p = 0; p < 3; p++) for (let d = 0; d < 12; d++) for (let f = 0; f < 5; f++) files[`p${p}/d${d}/e${d % 3}/f${f}`] = 'x';
      files['skipped/a'] = 'a';
      await writeTree(dir, files);
      await fs.symlink(path.join(dir, 'p0'), path.join(dir, 'p1', 'link-to-p0'));
      const discovery = await discoverProjects(dir, [], ['skipped']);
      const { stdout } = await execa('sh', ['-c', 'find root.txt p0 p1 p2 | wc -l'], { cwd: dir });
      expect(await countSourceEntries(dir, discovery, new Map(), localDisk)).toBe(Number(stdout.trim()));
      // A name that is not valid UTF-8 is reached by its bytes.
      await fs.mkdir(Buffer.concat([Buffer.from(`${dir}/p2/`), Buffer.from([0x63, 0x61, 0x66, 0xe9])]));
      expect(await countSourceEntries(dir, discovery, new Map(), localDisk)).toBe(Number(stdout.trim()) + 1);
    } finally {
      await cleanup();
    }
  });

  // The first night's plan walks every project for its size, later nights the ones big enough to
  // split: the guard reuses those counts instead of walking them a second time (one listing per
  // folder: a round trip each on a NAS).
  test('the plan\'s walks count the same entries as the guard for each project walked whole, and nothing for the others', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-count-walk-');
    try {
      const files: Record<string, string> = { 'root.txt': 'r', 'other.txt': 'o' };
      for (let p = 0; p < 3; p++) for (let d = 0; d < 7; d++) for (let f = 0; f < 4; f++) files[`p${p}/d${d}/e${d % 2}/f${f}`] = 'x';
      files['skipped/a'] = 'a';
      await writeTree(dir, files);
      await fs.symlink(path.join(dir, 'p0'), path.join(dir, 'p1', 'link-to-p0'));
      await fs.mkdir(path.join(dir, 'p2', 'empty'));
      const plan = async (discovery: Awaited<ReturnType<typeof discoverProjects>>, history = new Map<string, TaskRecord>()) =>
        planBackup({ sourceRoot: dir, discovery, history, settings: { concurrency: 2 } });
      const discovery = await discoverProjects(dir, [], ['skipped']);
      const { stdout } = await execa('sh', ['-c', 'find root.txt other.txt p0 p1 p2 | wc -l'], { cwd: dir });
      const total = Number(stdout.trim());
      const findCount = async (project: string): Promise<number> => Number((await execa('sh', ['-c', `find ${project} | wc -l`], { cwd: dir })).stdout.trim());
      const first = (await plan(discovery)).walkedProjectEntries;
      expect([...first.keys()].sort()).toEqual(['p0', 'p1', 'p2']);
      for (const p of ['p0', 'p1', 'p2']) expect(first.get(p)).toBe(await findCount(p));
      expect(await countSourceEntries(dir, discovery, first)).toBe(total);
      expect(await countSourceEntries(dir, discovery)).toBe(total);
      // Counts given for projects are used, not listed again (a wrong one shows in the sum).
      expect(await countSourceEntries(dir, discovery, new Map([['p1', 1000]]))).toBe(total - (await findCount('p1')) + 1000);

      // On this machine's disks a walk also keeps each project folder's own lookup, for the folder
      // comparison after the copy (FoldersComparedEarly); a walk through the thread pool (a NAS) keeps none.
      const here = await planBackup({ sourceRoot: dir, discovery, history: new Map(), settings: { concurrency: 2, sourceOnLocalDisk: true } });
      expect([...here.walkedFolders.keys()].sort()).toEqual(['p0', 'p1', 'p2']);
      for (const p of ['p0', 'p1', 'p2']) {
        const now = await fs.lstat(path.join(dir, p), { bigint: true });
        expect(here.walkedFolders.get(p)).toEqual({ mtimeNs: now.mtimeNs, mode: now.mode, uid: now.uid, gid: now.gid });
      }
      expect(here.walkedProjectEntries).toEqual(first);
      expect(first.size > 0 && (await plan(discovery)).walkedFolders.size).toBe(0);

      // A project sized from history and too small to split is not walked: the guard lists it itself.
      const record: TaskRecord = { project: 'p1', kind: 'project', relPath: 'p1', partial: false, files: 30, bytes: 30, durationMs: 5, finishedAt: new Date().toISOString() };
      const later = (await plan(discovery, new Map([['p1', record]]))).walkedProjectEntries;
      expect(later.has('p1')).toBe(false);
      expect(await countSourceEntries(dir, discovery, later)).toBe(total);
      // A walk cut short by its budget counted less than there is.
      const cut = await planBackup({ sourceRoot: dir, discovery, history: new Map(), settings: { concurrency: 2, estimateEntries: 10 } });
      expect(cut.walkedProjectEntries.size).toBe(0);
      // A folder whose name is not valid UTF-8 cannot be walked into by name.
      const badName = Buffer.concat([Buffer.from(path.join(dir, 'p2/')), Buffer.from([0x66, 0xff])]);
      await fs.mkdir(badName);
      await fs.writeFile(Buffer.concat([badName, Buffer.from('/a')]), 'a');
      const withBadName = (await plan(await discoverProjects(dir, [], ['skipped']))).walkedProjectEntries;
      expect(withBadName.has('p2')).toBe(false);
      expect(withBadName.has('p0')).toBe(true);
      expect(await countSourceEntries(dir, discovery, withBadName)).toBe(total + 2);
    } finally {
      await cleanup();
    }
  });
});
