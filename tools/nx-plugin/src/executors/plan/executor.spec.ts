import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutorContext } from '@nx/devkit';
import { execa } from 'execa';
import { runPlanCommand } from '@dailysync/commands';
import { makeTempDir, writeTree } from '../../../../../libs/sync/test/helpers/tree.js';
import planExecutor from './executor.js';
import { NX_TEST_ENV } from '../../../test/nx-env.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../../../..');

function context(): ExecutorContext {
  return { root: ROOT, cwd: ROOT, isVerbose: false, projectName: 'backup', targetName: 'plan' } as unknown as ExecutorContext;
}

/** Every path below `root` with its mtime: proves a command wrote nothing. */
async function snapshot(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true });
  return Promise.all(entries.sort().map(async (e) => `${e} ${(await fs.lstat(path.join(root, e))).mtimeMs}`));
}

class Capture {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('plan executor and command', () => {
  let dir: string;
  let source: string;
  let dest: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('dailysync-nx-plan-'));
    source = path.join(dir, 'prod');
    dest = path.join(dir, 'prod_backup');
    const files: Record<string, string> = { 'root.txt': 'r\n', 'small/a.txt': 'a\n' };
    for (let i = 0; i < 20; i++) files[`big/sub${i % 2}/f${i}.dat`] = `${i}\n`.repeat(100);
    await writeTree(source, files);
  });
  afterEach(() => cleanup());

  test('the executor succeeds and writes nothing: no backup root, source unchanged', async () => {
    const before = await snapshot(dir);
    const result = await planExecutor({ source, dest, concurrency: 2 }, context());
    expect(result.success).toBe(true);
    expect(await snapshot(dir)).toEqual(before);
  });

  test('the command shows tasks, sizes and order, largest first; an existing backup root is not written either', async () => {
    await fs.mkdir(dest);
    const before = await snapshot(dir);
    const out = new Capture();
    const { exitCode, result } = await runPlanCommand({ source, dest, concurrency: '2', json: false }, { stdout: out as unknown as NodeJS.WritableStream });
    expect(exitCode).toBe(0);
    // The root pass first (it looks at every top-level entry), then two small projects sharing one rsync (a batch).
    expect(result?.plan.tasks.map((t) => [t.id, t.projects])).toEqual([['.', undefined], ['(batch 1)', ['big', 'small']]]);
    expect(result?.plan.tasks[1]?.estimate).toEqual({ files: 23, bytes: expect.any(Number), basis: 'walk' });
    expect(out.text).toMatch(/^2\s+\(batch 1\): 2 small projects\s+batch\s+23\s/m);
    expect(out.text).toContain('(nothing was written)');
    expect(await snapshot(dir)).toEqual(before);
  });

  test('--json prints the plan; bad input is a usage error with one line', async () => {
    const out = new Capture();
    expect((await runPlanCommand({ source, dest, json: true }, { stdout: out as unknown as NodeJS.WritableStream })).exitCode).toBe(0);
    const plan = JSON.parse(out.text) as { tasks: Array<{ id: string; kind: string }>; estimatedMs: number };
    expect(plan.tasks.map((t) => t.id)).toEqual(['.', '(batch 1)']);
    expect(plan.estimatedMs).toBeGreaterThan(0);
    const err = new Capture();
    const bad = await runPlanCommand({ source: 'relative/path', dest }, { stderr: err as unknown as NodeJS.WritableStream });
    expect(bad.exitCode).toBe(2);
    expect(err.text).toMatch(/^dailysync: error: --source "relative\/path" .*\n$/);
  });

  test('nx run backup:plan runs the registered executor', async () => {
    const before = await snapshot(dir);
    const run = await execa('npx', ['nx', 'run', 'backup:plan', `--source=${source}`, `--dest=${dest}`], { cwd: ROOT, reject: false, env: NX_TEST_ENV });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/2\s+\(batch 1\): 2 small projects\s+batch/);
    expect(await snapshot(dir)).toEqual(before);
  });
});
