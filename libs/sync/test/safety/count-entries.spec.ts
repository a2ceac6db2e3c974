import fs from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { discoverProjects } from '../../src/discovery/discover.js';
import { countSourceEntries } from '../../src/safety/count-entries.js';
import { makeTempDir, writeTree } from '../helpers/tree.js';

describe('countSourceEntries (the shrink guard count)', () => {
  test('counts what `find` counts in the selected projects and the root, without following links', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-count-');
    try {
      const files: Record<string, string> = { 'root.txt': 'r' };
      for (let p = 0; p < 3; p++) for (let d = 0; d < 12; d++) for (let f = 0; f < 5; f++) files[`p${p}/d${d}/e${d % 3}/f${f}`] = 'x';
      files['skipped/a'] = 'a';
      await writeTree(dir, files);
      await fs.symlink(path.join(dir, 'p0'), path.join(dir, 'p1', 'link-to-p0'));
      const discovery = await discoverProjects(dir, [], ['skipped']);
      const { stdout } = await execa('sh', ['-c', 'find root.txt p0 p1 p2 | wc -l'], { cwd: dir });
      expect(await countSourceEntries(dir, discovery)).toBe(Number(stdout.trim()));
    } finally {
      await cleanup();
    }
  });
});
