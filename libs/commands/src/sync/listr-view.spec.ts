import { jest } from '@jest/globals';
// Jest's ESM loader cannot link listr2's CommonJS dependencies on a dynamic import alone ("request
// for 'eventemitter3' is not in cache"); loaded here first, the view's own import('listr2') finds it.
import 'listr2';
import type { ResolvedBackupOptions, SyncTask, TaskResult } from '@dailysync/sync';
import { ListrView } from './listr-view.js';

const task = (id: string): SyncTask => ({ id, project: id, kind: 'project', relPath: id, excludeTopLevelDirs: [], weight: 1 });
const ok = (t: SyncTask): TaskResult => ({
  id: t.id, project: t.project, kind: t.kind, status: 'ok', exitCode: 0, meaning: 'ok', error: null, attempts: [],
  filesTransferred: 1, bytesTransferred: 1, filesDeleted: 0, filesTotal: 1, bytesTotal: 1, startedAt: '', finishedAt: '', durationMs: 1,
});

/** Runs a plan of two tasks through the view's hooks, `between` after the plan, and returns what the view wrote to stdout. */
async function viewOutput(drawAfterMs: number, between: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const writeErr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    const view = new ListrView({ throttleMs: 0, drawAfterMs });
    const hooks = view.hooks();
    const tasks = [task('alpha'), task('beta')];
    hooks.onPlan?.({ tasks, discovery: { projects: [], rootEntries: [], rootSelected: false }, options: { concurrency: 2 } as ResolvedBackupOptions });
    for (const t of tasks) hooks.onTaskStart?.(t, 1);
    await between();
    for (const t of tasks) hooks.onTaskFinish?.(t, ok(t));
    await view.close();
  } finally {
    write.mockRestore();
    writeErr.mockRestore();
  }
  return written.join('');
}

describe('the live view is drawn only once a run has lasted a while', () => {
  test('a run that ends before the first frame is due draws nothing (its summary follows, as always)', async () => {
    expect(await viewOutput(60_000, async () => undefined)).toBe('');
  });

  test('a run still going when the frame is due is drawn, and its last frame shows every task done', async () => {
    const out = await viewOutput(0, () => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(out).toMatch(/2 of 2 projects/);
  });
});
