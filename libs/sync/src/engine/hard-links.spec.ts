import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, writeTree } from '../../test/helpers/tree.js';
import { discoverProjects } from '../discovery/discover.js';
import type { SyncTask } from '../plan/task.js';
import { findCrossTaskLinks } from './hard-links.js';

describe('findCrossTaskLinks', () => {
  test('finds links spanning projects with a few `find` processes, not one per project', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-links-');
    try {
      const source = path.join(dir, 'prod');
      const files: Record<string, string> = { 'root.txt': 'r' };
      const names = Array.from({ length: 40 }, (_, i) => (i === 7 ? '-dash ( project' : `p${String(i).padStart(2, '0')}`));
      for (const name of names) files[`${name}/sub/own.txt`] = name;
      await writeTree(source, files);
      // One group across two projects, one across a project and the root, one inside one project.
      await fs.link(path.join(source, 'p01/sub/own.txt'), path.join(source, '-dash ( project/linked.txt'));
      await fs.link(path.join(source, 'p02/sub/own.txt'), path.join(source, 'root link.txt'));
      await fs.link(path.join(source, 'p03/sub/own.txt'), path.join(source, 'p03/same project.txt'));
      // The real find, each start logged.
      const bin = path.join(dir, 'bin');
      const log = path.join(dir, 'find.log');
      await fs.mkdir(bin);
      await fs.writeFile(path.join(bin, 'find'), `#!/bin/sh\necho "$#" >> '${log}'\nexec /usr/bin/find "$@"\n`, { mode: 0o755 });
      const discovery = await discoverProjects(source, [], []);
      const tasks: SyncTask[] = [
        ...names.map((name): SyncTask => ({ id: name, project: name, kind: 'project', relPath: name, excludeTopLevelDirs: [], weight: 1 })),
        { id: '.', project: '(root)', kind: 'root', relPath: '', excludeTopLevelDirs: 'all', weight: 1 },
      ];
      const links = await findCrossTaskLinks(source, tasks, discovery, path.join(bin, 'find'));
      expect(links.paths.map((p) => p.toString()).sort()).toEqual(['-dash ( project/linked.txt', 'p01/sub/own.txt', 'p02/sub/own.txt', 'root link.txt'].sort());
      expect(links.excludedByTask.get('-dash ( project')?.map(String)).toEqual(['linked.txt']);
      expect(links.excludedByTask.has('p03')).toBe(false);
      // Eight finds share the 40 projects, and one looks at the root's own files.
      const runs = (await fs.readFile(log, 'utf8')).trim().split('\n');
      expect(runs.length).toBe(9);
    } finally {
      await cleanup();
    }
  });
});
