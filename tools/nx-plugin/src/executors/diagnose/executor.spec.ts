import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { makeTempDir, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import diagnoseExecutor from './executor.js';

describe('diagnose executor', () => {
  test('probes paths relative to the workspace root and leaves the destination as it was; fails on a missing dest', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-diagnose-exec-');
    const write = process.stdout.write.bind(process.stdout);
    let printed = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await writeTree(path.join(dir, 'prod'), { 'alpha/a.bin': Buffer.alloc(100_000, 1) });
      await writeTree(path.join(dir, 'prod_backup'), { 'alpha/a.bin': 'old copy\n' });
      const context = { root: dir, cwd: dir, isVerbose: false } as unknown as ExecutorContext;
      expect(await diagnoseExecutor({ source: 'prod', dest: 'prod_backup', seconds: 1, json: true }, context)).toEqual({ success: true });
      const result = JSON.parse(printed) as { read: { bytes: number }; write: { bytes: number }; dest: { path: string } };
      expect(result.read.bytes).toBe(100_000);
      expect(result.write.bytes).toBeGreaterThan(0);
      expect(result.dest.path).toBe(path.join(dir, 'prod_backup'));
      expect(await fs.readdir(path.join(dir, 'prod_backup'))).toEqual(['alpha']);
      expect(await fs.readFile(path.join(dir, 'prod_backup/alpha/a.bin'), 'utf8')).toBe('old copy\n');
      expect(await diagnoseExecutor({ source: 'prod', dest: 'nowhere' }, context)).toEqual({ success: false });
    } finally {
      process.stdout.write = write;
      await cleanup();
    }
  });
});
