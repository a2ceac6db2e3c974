import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { BackupReport, SyncTask } from '@dailysync/sync';
import { buildRunFacts } from '../src/sync/run-facts.js';
import { makeTempDir, writeTree } from '../../sync/test/helpers/tree.js';

/** A report whose project `big` ran alone for 20 s of the transfer, with `x` beside it for 1 s. */
function report(bigBytes: number): BackupReport {
  const at = (ms: number): string => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const project = (name: string, endMs: number, bytes: number) => ({ name, startedAt: at(0), finishedAt: at(endMs), bytesTransferred: bytes, filesTransferred: bytes > 0 ? 1 : 0 });
  return { dryRun: false, concurrency: 4, projects: [project('big', 20_000, bigBytes), project('x', 1000, 10)] } as unknown as BackupReport;
}
const planned = [{ id: 'big', kind: 'project', relPath: 'big' }, { id: 'x', kind: 'project', relPath: 'x' }] as unknown as SyncTask[];

describe('buildRunFacts: the largest file of the critical path', () => {
  it('is looked up in the source when the lone task copied bytes, and not at all when it copied none', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-run-facts-');
    try {
      const source = path.join(dir, 'src');
      await writeTree(source, { 'big/small.txt': 'a', 'big/deep/raw.mov': Buffer.alloc(5000, 1), 'x/y.txt': 'b' });
      const copied = await buildRunFacts({ report: report(6000), tasks: planned, localSource: source });
      expect(copied.largestFile).toEqual({ task: 'big', path: 'big/deep/raw.mov', bytes: 5000 });
      // The same run with nothing copied there (a nothing-changed night): the source is not walked.
      const unchanged = await buildRunFacts({ report: report(0), tasks: planned, localSource: source });
      expect(unchanged.largestFile).toBeUndefined();
      expect(unchanged.tasks.map((t) => t.id)).toEqual(['big', 'x']);
    } finally {
      await cleanup();
    }
  });
});
