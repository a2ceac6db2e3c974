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
    expect(done).toMatchObject({ projectsDone: 5, projectsTotal: 5, projectsFailed: 0, entriesDone: 8, entriesPlanned: 8 });
    // The plan's walk counts entries (folders too), not the files the summary says were transferred;
    // at the end nothing runs or waits, so no rate (it would read 0 B/s).
    expect(formatOverallLine(done)).toBe('5 of 5 projects · 8 of 8 entries · 400 B of 400 B');
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

  test('the rate shows while a task runs, over its progress, and goes when nothing runs or waits', () => {
    let now = 0;
    const progress = new RunProgress([big], 1, () => now);
    progress.start(big);
    const moving = { bytes: 0, percent: 0, bytesPerSecond: 0, toCheck: { remaining: 2, total: 2, listComplete: true } };
    progress.progress(big, { ...moving, attempt: 1 });
    expect(formatOverallLine(progress.snapshot())).toBe('0 of 1 projects · 0 of 2 entries · 0 B of 100 B · 0 B/s · ETA 10 ms');
    now = 1000;
    progress.progress(big, { ...moving, bytes: 50, percent: 50, toCheck: { remaining: 1, total: 2, listComplete: true }, attempt: 1 });
    expect(formatOverallLine(progress.snapshot())).toBe('0 of 1 projects · 1 of 2 entries · 50 B of 100 B · 50 B/s · ETA 10 ms');
    progress.finish(big, result(big));
    expect(formatOverallLine(progress.snapshot())).toBe('1 of 1 projects · 2 of 2 entries · 100 B of 100 B');
  });
});
