import path from 'node:path';
import { planOnly } from '@dailysync/sync';
import { formatPlan } from '../src/plan/plan-command.js';
import { makeTempDir, writeTree } from '../../sync/test/helpers/tree.js';

describe('plan labels estimates as estimates (issue 10 item 15)', () => {
  test('a split part shows "~" before its files and size: a share of the project, not a count', async () => {
    const { dir, cleanup } = await makeTempDir('dailysync-plan-est-');
    try {
      const source = path.join(dir, 'prod');
      const files: Record<string, string> = { 'small/one.txt': 'one\n' };
      for (let d = 0; d < 4; d++) for (let f = 0; f < 30; f++) files[`big/dir${d}/f${f}.txt`] = `${d}-${f}\n`.repeat(100 * (d + 1));
      await writeTree(source, files);
      const result = await planOnly({ source, dest: path.join(dir, 'backup'), concurrency: 4, planning: { minSplitMs: 0 } });
      const parts = result.plan.tasks.filter((t) => t.project === 'big');
      expect(parts.length).toBeGreaterThan(1);
      expect(parts.every((t) => t.estimate?.scaled === true)).toBe(true);
      expect(result.plan.tasks.find((t) => t.id === 'small')?.estimate?.scaled).toBeUndefined();
      const text = formatPlan(result);
      expect(text).toMatch(/^#\s+task\s+kind\s+est\. files\s+est\. size\s+est\. time/m);
      expect(text).toMatch(/^\d+\s+big\/dir0\s+subtree\s+~\d+\s+~\d/m);
      expect(text).toMatch(/^\d+\s+small\s+project\s+1\s/m);
      expect(text).toContain('~ marks a part of a split project');
    } finally {
      await cleanup();
    }
  });
});
