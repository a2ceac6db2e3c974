import fs from 'node:fs/promises';
import path from 'node:path';
import { runTask, DEFAULT_RETRY_POLICY } from '../../src/engine/run-task.js';
import { resolveBackupOptions } from '../../src/options.js';
import { runBackup } from '../../src/engine/backup.js';
import type { SyncTask } from '../../src/plan/task.js';
import { exists, makeTempDir, projectTree, treeDifferences, writeTree } from '../helpers/tree.js';

describe('the deletion count checked before a --max-delete run caps the real run', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-cap-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'backup');
    await writeTree(source, projectTree(['alpha']));
    await runBackup({ source, dest, delete: true });
  });
  afterEach(() => cleanup());

  test('a task whose source lost files after the count deletes no more than counted, and says so', async () => {
    // Counted 0 deletions, then the source lost files (as with a share unmounted half way).
    await fs.rm(path.join(source, 'alpha/sub 0'), { recursive: true });
    const options = resolveBackupOptions({ source, dest, delete: true });
    const task: SyncTask = { id: 'alpha', project: 'alpha', kind: 'project', relPath: 'alpha', excludeTopLevelDirs: [], weight: 0 };
    const result = await runTask(task, { options, retry: DEFAULT_RETRY_POLICY, maxDeletions: 0 });
    expect(await exists(path.join(dest, 'alpha/sub 0/file-0.dat'))).toBe(true);
    expect(result.exitCode).toBe(25);
    expect(result.status).toBe('warning');
    expect(result.meaning).toMatch(/max-delete/);
  });

  test('within the counted number, a --max-delete run deletes what it counted', async () => {
    await fs.rm(path.join(source, 'alpha/sub 0/file-0.dat'));
    const report = await runBackup({ source, dest, delete: true, maxDelete: '5' });
    expect(report.ok).toBe(true);
    expect(report.totals.filesDeleted).toBe(1);
    expect(await treeDifferences(source, dest)).toEqual([]);
  });
});
