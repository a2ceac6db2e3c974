import path from 'node:path';
import { runBackup } from '../../src/engine/backup.js';
import { ROOT_TASK_ID } from '../../src/plan/task.js';
import { makeTempDir, projectTree, treeDifferences, writeTree } from '../helpers/tree.js';

function bigProject(name: string, dirs: number, filesPerDir: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let d = 0; d < dirs; d++) {
    for (let f = 0; f < filesPerDir; f++) files[`${name}/part ${d}/file-${f}.dat`] = `${name} ${d} ${f}\n`.repeat(200);
  }
  files[`${name}/top level.txt`] = 'top\n';
  return files;
}

describe('--shard I/N', () => {
  test('three shards running at once back up everything exactly once, split project and root files included', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-shards-');
    try {
      const source = path.join(dir, 'prod');
      const dest = path.join(dir, 'backup');
      await writeTree(source, { ...projectTree(['alpha', 'beta', 'gamma', 'delta', 'epsilon']), ...bigProject('huge', 6, 40), 'second root file': 'r\n' });
      const reports = await Promise.all(
        [1, 2, 3].map((index) => runBackup({ source, dest, shard: `${index}/3`, concurrency: 2, planning: { minSplitMs: 0 }, retry: { retries: 0, backoffMs: 0 } })),
      );
      expect(reports.map((r) => r.ok)).toEqual([true, true, true]);
      // Known, not shard-specific: when a part creates its folder after the project's top part ran,
      // the split project's own folder mtime is left stale until the next run (data is complete).
      expect((await treeDifferences(source, dest)).filter((l) => l !== '.d..t...... huge/')).toEqual([]);

      const ids = reports.flatMap((r) => r.shard?.taskIds ?? []);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(reports[0]?.shard?.plannedTasks);
      expect(new Set(reports.map((r) => r.shard?.digest)).size).toBe(1);
      expect(ids).toContain(ROOT_TASK_ID);
      // The big project was split into parts, and the parts are spread over the shards like any task.
      expect(ids.filter((id) => id.startsWith('huge/')).length).toBeGreaterThan(1);
      expect(reports.every((r) => (r.shard?.taskIds.length ?? 0) > 0)).toBe(true);
      // Each shard reports only the tasks it ran.
      for (const r of reports) {
        const ran = r.projects.flatMap((p) => (p.parts ? p.parts.map((part) => part.id) : [p.kind === 'root' ? ROOT_TASK_ID : p.name]));
        expect(ran.sort()).toEqual([...(r.shard?.taskIds ?? [])].sort());
      }
    } finally {
      await cleanup();
    }
  });
});
