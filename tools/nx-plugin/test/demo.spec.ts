import fs from 'node:fs/promises';
import path from 'node:path';
import syncExecutor from '../src/executors/sync/executor.js';
import { DEMO_TREE, demoPaths } from '@dailysync/commands';
import { makeTempDir, treeDifferences } from '../../../libs/sync/test/helpers/tree.js';
import type { ExecutorContext } from '@nx/devkit';

/** Collects what a command writes, so the test output stays readable. */
class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('the built-in demo tree (what `nx run backup:sync` with no options backs up)', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => ({ dir: root, cleanup } = await makeTempDir('dailysync-demo-')));
  afterAll(() => cleanup());

  test('the executor with no options generates the demo tree, backs it up exactly, and a second run copies nothing', async () => {
    const context = { root, cwd: root, projectName: 'backup', isVerbose: false } as unknown as ExecutorContext;
    const { source, dest } = demoPaths(root);
    const stdout = process.stdout.write;
    const captured = new Sink();
    // The executor prints to the process streams; keep them out of the jest log.
    process.stdout.write = captured.write.bind(captured) as typeof process.stdout.write;
    let first;
    let second;
    try {
      first = await syncExecutor({}, context);
      second = await syncExecutor({ report: 'second.json' }, context);
    } finally {
      process.stdout.write = stdout;
    }
    expect(first.success).toBe(true);
    expect(second.success).toBe(true);
    expect(captured.text).toContain('backing up the built-in demo tree');

    // Several projects of very different sizes, spaces and non-ASCII names, files in the root.
    const projects = (await fs.readdir(source, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(projects.sort()).toEqual(DEMO_TREE.projects.map((p) => p.name).sort());
    expect(projects.some((n) => n.includes(' '))).toBe(true);
    expect(projects.some((n) => /[^\x00-\x7f]/.test(n))).toBe(true);
    expect(await treeDifferences(source, dest)).toEqual([]);

    const report = JSON.parse(await fs.readFile(path.join(root, 'second.json'), 'utf8'));
    expect(report.source).toBe(source);
    expect(report.totals.filesTransferred).toBe(0);
    const sizes = report.projects.filter((p: { kind: string }) => p.kind === 'project').map((p: { bytesTotal: number }) => p.bytesTotal);
    expect(Math.max(...sizes)).toBeGreaterThan(100 * Math.min(...sizes));
  });
});
