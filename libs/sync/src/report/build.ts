import type { BackupReport, ProjectReport, TaskResult, TaskStatus } from './types.js';

const SEVERITY: Record<TaskStatus, number> = { skipped: 0, ok: 1, warning: 2, interrupted: 3, failed: 4 };

export function worstStatus(statuses: readonly TaskStatus[]): TaskStatus {
  return statuses.reduce<TaskStatus>((worst, s) => (SEVERITY[s] > SEVERITY[worst] ? s : worst), 'skipped');
}

type FoldedFields = 'status' | 'exitCode' | 'filesTransferred' | 'bytesTransferred' | 'filesDeleted' | 'filesTotal' | 'bytesTotal' | 'startedAt' | 'finishedAt' | 'durationMs';

/**
 * The counters, status and time span of several entries about one project (the tasks of a split
 * project, or the same project's entries from several shard reports): sums, the worst status with
 * its exit code, and the span from the first start to the last finish.
 */
export function foldEntries(entries: ReadonlyArray<Pick<ProjectReport, Exclude<FoldedFields, 'durationMs'>>>): Pick<ProjectReport, FoldedFields> {
  const sum = (key: 'filesTransferred' | 'bytesTransferred' | 'filesDeleted' | 'filesTotal' | 'bytesTotal'): number =>
    entries.reduce((acc, e) => acc + e[key], 0);
  const startedAt = entries.map((e) => e.startedAt).filter((s): s is string => s !== null).sort()[0] ?? null;
  const finishedAt = entries.map((e) => e.finishedAt).filter((s): s is string => s !== null).sort().pop() ?? null;
  const status = worstStatus(entries.map((e) => e.status));
  return {
    status,
    exitCode: entries.find((e) => e.status === status)?.exitCode ?? null,
    filesTransferred: sum('filesTransferred'),
    bytesTransferred: sum('bytesTransferred'),
    filesDeleted: sum('filesDeleted'),
    filesTotal: sum('filesTotal'),
    bytesTotal: sum('bytesTotal'),
    startedAt,
    finishedAt,
    durationMs: startedAt && finishedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : 0,
  };
}

/** Folds task results into one report entry per project, in the order projects were first seen. */
export function projectReports(results: readonly TaskResult[]): ProjectReport[] {
  // Keyed by kind too: a project folder may be named like the root pass (ROOT_PROJECT).
  const byProject = new Map<string, TaskResult[]>();
  const rootKind = (r: TaskResult): boolean => r.kind === 'root' || r.kind === 'links';
  for (const r of results) {
    const key = `${rootKind(r) ? 'root' : 'project'}\0${r.project}`;
    const list = byProject.get(key) ?? [];
    list.push(r);
    byProject.set(key, list);
  }
  const reports: ProjectReport[] = [];
  for (const [key, parts] of byProject) {
    const name = key.slice(key.indexOf('\0') + 1);
    const errors = parts.filter((p) => p.error !== null).map((p) => (parts.length > 1 ? `${p.id}: ${p.error}` : p.error));
    const report: ProjectReport = {
      name,
      kind: key.startsWith('root\0') ? 'root' : 'project',
      ...foldEntries(parts),
      error: errors.length > 0 ? errors.join('; ') : null,
      attempts: Math.max(0, ...parts.map((p) => p.attempts.length)),
    };
    const attemptLog = parts.flatMap((p) => (p.attempts.length > 1 ? p.attempts : []));
    if (attemptLog.length > 0) report.attemptLog = attemptLog;
    const alsoSeen = [...new Set(parts.flatMap((p) => p.alsoSeen ?? []))];
    if (alsoSeen.length > 0) report.alsoSeen = alsoSeen;
    const changed = parts.flatMap((p) => p.changedDuringCopy ?? []);
    if (changed.length > 0) report.changedDuringCopy = changed;
    if (parts.length > 1 || parts[0]?.kind === 'subtree' || parts[0]?.kind === 'project-top') report.parts = [...parts];
    reports.push(report);
  }
  return reports;
}

export function reportTotals(projects: readonly ProjectReport[]): BackupReport['totals'] {
  const count = (s: TaskStatus): number => projects.filter((p) => p.status === s).length;
  return {
    projects: projects.length,
    ok: count('ok'),
    warning: count('warning'),
    failed: count('failed'),
    skipped: count('skipped'),
    interrupted: count('interrupted'),
    filesTransferred: projects.reduce((a, p) => a + p.filesTransferred, 0),
    bytesTransferred: projects.reduce((a, p) => a + p.bytesTransferred, 0),
    filesDeleted: projects.reduce((a, p) => a + p.filesDeleted, 0),
  };
}
