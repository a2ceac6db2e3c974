import { describe, expect, it, afterAll } from '@jest/globals';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { BackupPlan } from '@dailysync/sync';
import { runPlanCommand } from './plan-command.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tree(): Promise<{ source: string; dest: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dailysync-plan-'));
  dirs.push(dir);
  const source = path.join(dir, 'src');
  await mkdir(path.join(source, 'alpha'), { recursive: true });
  await mkdir(path.join(source, 'beta'), { recursive: true });
  await writeFile(path.join(source, 'alpha', 'clip.bin'), Buffer.alloc(4 * 2 ** 20, 1));
  await writeFile(path.join(source, 'beta', 'note.txt'), 'x');
  // Files at the top of the source root are the (root) task's work.
  await writeFile(path.join(source, 'README.root'), Buffer.alloc(3 * 2 ** 20, 2));
  await writeFile(path.join(source, 'index.txt'), Buffer.alloc(1000, 3));
  return { source, dest: path.join(dir, 'dst') };
}

async function plan(options: Parameters<typeof runPlanCommand>[0]): Promise<{ text: string; exitCode: number }> {
  let text = '';
  const out = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
  const { exitCode } = await runPlanCommand(options, { stdout: out, stderr: out });
  return { text, exitCode };
}

describe('dailysync plan', () => {
  it('sizes the root files: (root) is not 0 B', async () => {
    const { source, dest } = await tree();
    const { text, exitCode } = await plan({ source, dest, concurrency: 2, json: true });
    expect(exitCode).toBe(0);
    const p = JSON.parse(text) as BackupPlan;
    const root = p.tasks.find((t) => t.kind === 'root');
    expect(root?.estimate).toMatchObject({ files: 2, bytes: 3 * 2 ** 20 + 1000 });
    // What the run keeps from its walk for itself is not part of the plan shown.
    expect(Object.keys(p).sort()).toEqual(['concurrency', 'dest', 'estimatedMs', 'source', 'splitThresholdMs', 'tasks', 'totalWorkMs']);
  });

  it('honours --bwlimit: no task is estimated faster than its bytes at the limit, and the table says so', async () => {
    const { source, dest } = await tree();
    const free = JSON.parse((await plan({ source, dest, concurrency: 2, json: true })).text) as BackupPlan;
    const limited = JSON.parse((await plan({ source, dest, concurrency: 2, bwlimit: 500, json: true })).text) as BackupPlan;
    // alpha: 4 MiB at 500 KiB/s is at least 8.2 s; unlimited it is estimated well under a second.
    const alpha = (p: BackupPlan): number => p.tasks.find((t) => t.id === 'alpha')?.weight ?? 0;
    expect(alpha(free)).toBeLessThan(1000);
    expect(alpha(limited)).toBeGreaterThanOrEqual((4 * 2 ** 20 * 1000) / (500 * 1024));
    expect(limited.estimatedMs).toBeGreaterThanOrEqual(alpha(limited));
    const { text } = await plan({ source, dest, concurrency: 2, bwlimit: 500 });
    expect(text).toMatch(/held to --bwlimit 500 KiB\/s/);
    expect(text).toMatch(/about 8\.\d s with 2 at once/);
  });
});
