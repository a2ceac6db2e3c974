import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveBackupOptions } from '../../src/options.js';
import type { SyncTask } from '../../src/plan/task.js';
import { buildRsyncArgs } from '../../src/rsync/args.js';
import { PROGRESS_EVERY_MS, runRsync } from '../../src/rsync/run.js';
import type { RsyncProgress } from '../../src/rsync/types.js';
import { makeTempDir, writeTree } from '../helpers/tree.js';

describe('runRsync progress', () => {
  test(`hands rsync's per-file progress on at most every ${PROGRESS_EVERY_MS} ms, and always its last record`, async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-progress-');
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < 400; i++) files[`alpha/f${i}`] = 'x'.repeat(1000 + i);
      await writeTree(path.join(dir, 'src'), files);
      await fs.mkdir(path.join(dir, 'dst'));
      const task: SyncTask = { id: 'alpha', project: 'alpha', kind: 'project', relPath: 'alpha', excludeTopLevelDirs: [], weight: 1 };
      // A bandwidth limit spreads the 400 files over about a second.
      const options = resolveBackupOptions({ source: path.join(dir, 'src'), dest: path.join(dir, 'dst'), bwlimitKiB: 500 });
      const seen: Array<RsyncProgress & { at: number }> = [];
      const result = await runRsync({ rsyncPath: 'rsync', args: buildRsyncArgs(task, options), onProgress: (p) => seen.push({ ...p, at: performance.now() }) });
      expect(result.classification.status).toBe('ok');
      expect(result.stats?.filesTransferred).toBe(400);
      // rsync wrote a record per file; far fewer reached the hook, spaced by the interval...
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.length).toBeLessThanOrEqual(result.durationMs / PROGRESS_EVERY_MS + 2);
      for (let i = 2; i < seen.length; i++) expect(seen[i - 1]!.at - seen[i - 2]!.at).toBeGreaterThanOrEqual(PROGRESS_EVERY_MS - 1);
      // ...and the last one holds the final totals.
      const last = seen.at(-1)!;
      expect(last.bytes).toBe(result.stats?.totalFileSizeBytes);
      expect(last.filesTransferred).toBe(400);
      expect(result.progressBytes).toBe(last.bytes);
    } finally {
      await cleanup();
    }
  });
});
