import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { runSnapshotBackup } from '@dailysync/sync';
import { makeTempDir, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import snapshotsExecutor from './executor.js';

describe('snapshots executor', () => {
  test('lists the snapshots of a backup root given relative to the workspace, and fails on a missing dest', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-snapshots-exec-');
    try {
      await writeTree(path.join(dir, 'prod'), { 'alpha/a.txt': 'a\n' });
      const report = await runSnapshotBackup({ source: path.join(dir, 'prod'), dest: path.join(dir, 'backup') });
      expect(report.snapshot?.published).toBe(true);
      const context = { root: dir, cwd: dir, isVerbose: false } as unknown as ExecutorContext;
      expect(await snapshotsExecutor({ dest: 'backup', json: true }, context)).toEqual({ success: true });
      expect(await snapshotsExecutor({ dest: 'not-mounted' }, context)).toEqual({ success: false });
    } finally {
      await cleanup();
    }
  });
});
