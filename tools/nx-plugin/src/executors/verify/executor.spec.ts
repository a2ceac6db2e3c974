import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { runBackup } from '@dailysync/sync';
import { makeTempDir, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import verifyExecutor from './executor.js';

describe('verify executor', () => {
  test('succeeds on a clean backup and fails once a file is lost, writing a JSON report that lists it', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-verify-exec-');
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'backup');
      await writeTree(source, { 'alpha/a.txt': 'a\n', 'beta/b.bin': Buffer.alloc(4096, 3) });
      await runBackup({ source, dest });
      const context = { root: dir, cwd: dir, isVerbose: false } as unknown as ExecutorContext;
      expect(await verifyExecutor({ source, dest, checksum: true }, context)).toEqual({ success: true });
      await fs.rm(path.join(dest, 'beta/b.bin'));
      expect(await verifyExecutor({ source, dest, report: 'verify.json' }, context)).toEqual({ success: false });
      const report = JSON.parse(await fs.readFile(path.join(dir, 'verify.json'), 'utf8')) as { missing: string[]; counts: { missing: number } };
      expect(report.missing).toEqual(['beta/b.bin']);
      expect(report.counts.missing).toBe(1);
    } finally {
      await cleanup();
    }
  });
});
