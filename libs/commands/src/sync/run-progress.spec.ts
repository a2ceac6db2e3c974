import type { SyncTask, TaskResult } from '@dailysync/sync';
import { formatOverallLine, formatTaskCounts, RunProgress } from './run-progress.js';

const task = (over: Partial<SyncTask> & Pick<SyncTask, 'id' | 'project' | 'kind'>): SyncTask => ({
  relPath: over.kind === 'batch' || over.kind === 'root' ? '' : over.id,
  excludeTopLevelDirs: [],
  weight: 10,
  estimate: { files: 2, bytes: 100, basis: 'walk' },
  ...over,
});

const result = (t: SyncTask, over: Partial<TaskResult> = {}): TaskResult => ({
  id: t.id,
  project: t.project,
  kind: t.kind,
  status: 'ok',
  exitCode: 0,
  meaning: 'ok',
  error: null,
  attempts: [],
  filesTransferred: 2,
  bytesTransferred: 100,
  filesDeleted: 0,
  filesTotal: 2,
  bytesTotal: 100,
  startedAt: '',
  finishedAt: '',
  durationMs: 1,
  ...over,
});

describe('RunProgress counts projects, also those that share an rsync', () => {
  const batch = task({ id: '(batch 1)', project: '(batch 1)', kind: 'batch', projects: ['a', 'b', 'c'] });
  const big = task({ id: 'big/x', project: 'big', kind: 'subtree' });
  const bigTop = task({ id: 'big', project: 'big', kind: 'project-top' });
  const root = task({ id: '.', project: '(root)', kind: 'root' });

  test('a batch of three is three projects; a split project is one, done when its last part is', () => {
    const progress = new RunProgress([batch, big, bigTop, root], 2, () => 0);
    expect(progress.snapshot()).toMatchObject({ projectsDone: 0, projectsTotal: 5, tasksQueued: 4 });
    progress.start(batch);
    progress.finish(batch, result(batch));
    progress.start(big);
    progress.finish(big, result(big));
    expect(progress.snapshot()).toMatchObject({ projectsDone: 3, projectsTotal: 5, tasksDone: 2 });
    progress.finish(bigTop, result(bigTop));
    progress.finish(root, result(root));
    const done = progress.snapshot();
    expect(done).toMatchObject({ projectsDone: 5, projectsTotal: 5, projectsFailed: 0, filesDone: 8, filesPlanned: 8 });
    expect(formatOverallLine(done)).toMatch(/^5 of 5 projects · 8 of 8 files/);
  });

  test('a failed batch counts the projects it names as failed, or all of them when it names none', () => {
    const named = new RunProgress([batch], 1, () => 0);
    named.finish(batch, result(batch, { status: 'failed', failedProjects: ['b'] }));
    expect(named.snapshot()).toMatchObject({ projectsDone: 3, projectsFailed: 1 });
    expect(formatTaskCounts(named.snapshot())).toBe('0 running, 0 queued, 1 failed');
    const whole = new RunProgress([batch], 1, () => 0);
    whole.finish(batch, result(batch, { status: 'interrupted' }));
    expect(whole.snapshot().projectsFailed).toBe(3);
  });
});
