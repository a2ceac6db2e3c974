import type { Discovery } from '../discovery/discover.js';
import type { TaskRecord } from './history.js';
import { planBackup } from './plan-backup.js';
import { ROOT_PROJECT } from './task.js';

function record(project: string, relPath: string, files: number, durationMs: number): TaskRecord {
  return { project, kind: relPath === '' ? 'root' : 'project', relPath, partial: false, files, bytes: files * 100, durationMs, finishedAt: '' };
}

describe('planBackup order', () => {
  test('the root pass starts first, whatever its weight; the rest largest first', async () => {
    const discovery: Discovery = { projects: ['small', 'huge', 'middle'].map((name) => ({ name, selected: true })), rootEntries: ['notes.txt'], rootSelected: true };
    const history = new Map([
      ['huge', record('huge', 'huge', 100_000, 60_000)],
      ['middle', record('middle', 'middle', 1_000, 3_000)],
      ['small', record('small', 'small', 10, 1_500)],
      [ROOT_PROJECT, record(ROOT_PROJECT, '', 1, 5)],
    ]);
    const plan = await planBackup({ sourceRoot: undefined, discovery, history, settings: { concurrency: 4, batchBelowMs: 0 } });
    expect(plan.tasks.map((t) => t.kind === 'root' ? '(root)' : t.id)).toEqual(['(root)', 'huge', 'middle', 'small']);
    expect(plan.tasks[0]?.weight).toBe(5);
  });
});
