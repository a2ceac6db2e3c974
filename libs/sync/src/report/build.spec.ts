import { foldEntries, projectReports } from './build.js';
import type { TaskResult, TaskStatus } from './types.js';

function result(id: string, project: string, over: Partial<TaskResult> = {}): TaskResult {
  return {
    id,
    project,
    kind: 'project',
    status: 'ok',
    exitCode: 0,
    meaning: 'success',
    error: null,
    attempts: [{ attempt: 1, exitCode: 0, class: 'ok', meaning: 'success', durationMs: 10 }],
    filesTransferred: 2,
    bytesTransferred: 200,
    filesDeleted: 1,
    filesTotal: 5,
    bytesTotal: 500,
    startedAt: '2026-12-07T10:00:00.000Z',
    finishedAt: '2026-12-07T10:00:01.250Z',
    durationMs: 1250,
    ...over,
  };
}

describe('foldEntries', () => {
  it('gives one entry its own counts, status, exit code and time span, whatever its status', () => {
    const statuses: TaskStatus[] = ['ok', 'warning', 'failed', 'skipped', 'interrupted'];
    for (const status of statuses) {
      const entry = result('a', 'a', { status, exitCode: status === 'ok' ? 0 : 23 });
      expect(foldEntries([entry])).toEqual({
        status,
        exitCode: entry.exitCode,
        filesTransferred: 2,
        bytesTransferred: 200,
        filesDeleted: 1,
        filesTotal: 5,
        bytesTotal: 500,
        startedAt: entry.startedAt,
        finishedAt: entry.finishedAt,
        durationMs: 1250,
      });
    }
    expect(foldEntries([result('a', 'a', { startedAt: null, finishedAt: null, status: 'skipped', exitCode: null })])).toMatchObject({ startedAt: null, finishedAt: null, durationMs: 0, exitCode: null });
  });

  it('sums several entries, keeps the worst status with its exit code and spans first start to last finish', () => {
    const folded = foldEntries([
      result('a/x', 'a', { startedAt: '2026-12-07T10:00:02.000Z', finishedAt: '2026-12-07T10:00:03.000Z' }),
      result('a/y', 'a', { status: 'failed', exitCode: 11, startedAt: '2026-12-07T10:00:00.500Z', finishedAt: '2026-12-07T10:00:02.500Z' }),
    ]);
    expect(folded).toEqual({
      status: 'failed',
      exitCode: 11,
      filesTransferred: 4,
      bytesTransferred: 400,
      filesDeleted: 2,
      filesTotal: 10,
      bytesTotal: 1000,
      startedAt: '2026-12-07T10:00:00.500Z',
      finishedAt: '2026-12-07T10:00:03.000Z',
      durationMs: 2500,
    });
  });
});

describe('projectReports', () => {
  it('keeps a one-task project as it ran: no parts, its error as it is, no attempt log for one attempt', () => {
    const [report] = projectReports([result('alpha', 'alpha', { status: 'warning', exitCode: 24, error: 'some files vanished', alsoSeen: ['vanished', 'vanished'] })]);
    expect(report).toEqual({
      name: 'alpha',
      kind: 'project',
      status: 'warning',
      exitCode: 24,
      filesTransferred: 2,
      bytesTransferred: 200,
      filesDeleted: 1,
      filesTotal: 5,
      bytesTotal: 500,
      startedAt: '2026-12-07T10:00:00.000Z',
      finishedAt: '2026-12-07T10:00:01.250Z',
      durationMs: 1250,
      error: 'some files vanished',
      attempts: 1,
      alsoSeen: ['vanished'],
    });
  });

  it("merges a split project's parts: errors named by task, the most attempts, every retry logged, conditions once, changed files", () => {
    const retried = [
      { attempt: 1, exitCode: 12, class: 'transient' as const, meaning: 'protocol error', durationMs: 5 },
      { attempt: 2, exitCode: 0, class: 'ok' as const, meaning: 'success', durationMs: 7 },
    ];
    const reports = projectReports([
      result('beta/one', 'beta', { kind: 'subtree', attempts: retried, alsoSeen: ['vanished'], changedDuringCopy: ['beta/one/a.mov'] }),
      result('gamma', 'gamma'),
      result('beta/two', 'beta', { kind: 'subtree', status: 'failed', exitCode: 23, error: 'partial transfer', alsoSeen: ['vanished', 'disk-full'], changedDuringCopy: ['beta/two/b.mov'] }),
    ]);
    expect(reports.map((r) => r.name)).toEqual(['beta', 'gamma']);
    const beta = reports[0];
    expect(beta).toMatchObject({
      status: 'failed',
      exitCode: 23,
      error: 'beta/two: partial transfer',
      attempts: 2,
      attemptLog: retried,
      alsoSeen: ['vanished', 'disk-full'],
      changedDuringCopy: ['beta/one/a.mov', 'beta/two/b.mov'],
      filesTransferred: 4,
    });
    expect(beta?.parts?.map((p) => p.id)).toEqual(['beta/one', 'beta/two']);
    expect(reports[1]).not.toHaveProperty('parts');
    expect(reports[1]).not.toHaveProperty('attemptLog');
  });

  it('keeps the root pass apart from a project folder of the same name', () => {
    const reports = projectReports([result('(root)', '(root)', { kind: 'root' }), result('(root)', '(root)')]);
    expect(reports.map((r) => [r.name, r.kind])).toEqual([
      ['(root)', 'root'],
      ['(root)', 'project'],
    ]);
  });
});
