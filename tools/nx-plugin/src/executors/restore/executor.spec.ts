import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { runSnapshotBackup } from '@dailysync/sync';
import { makeTempDir, treeDifferences, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import restoreExecutor from './executor.js';

describe('restore executor', () => {
  test('restores one project of the latest snapshot into a folder relative to the workspace, and refuses a non-empty one', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-restore-exec-');
    try {
      const source = path.join(dir, 'prod');
      await writeTree(source, { 'alpha/a.txt': 'a\n', 'beta/b.bin': Buffer.alloc(4096, 3) });
      await runSnapshotBackup({ source, dest: path.join(dir, 'backup') });
      const context = { root: dir, cwd: dir, isVerbose: false } as unknown as ExecutorContext;
      expect(await restoreExecutor({ dest: 'backup', to: 'restored', project: ['beta'] }, context)).toEqual({ success: true });
      expect(await fs.readdir(path.join(dir, 'restored'))).toEqual(['beta']);
      expect(await treeDifferences(path.join(source, 'beta'), path.join(dir, 'restored/beta'))).toEqual([]);
      expect(await restoreExecutor({ dest: 'backup', to: 'restored' }, context)).toEqual({ success: false });
    } finally {
      await cleanup();
    }
  });
});
