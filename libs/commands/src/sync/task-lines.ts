import { formatBytes, formatDuration, printableName, ROOT_PROJECT, type SyncTask, type TaskProgress, type TaskResult } from '@dailysync/sync';

// The lines both views print for a task (the live view on a terminal, the plain log); kept apart
// from listr-view.ts so that plain output never loads listr2.

export function progressLine(p: TaskProgress): string {
  const percent = `${p.percent}%`;
  const rate = p.bytesPerSecond > 0 ? `${formatBytes(p.bytesPerSecond)}/s` : '';
  const listing = p.toCheck && !p.toCheck.listComplete ? 'scanning' : '';
  const item = p.currentItem ? printableName(p.currentItem) : '';
  const retry = p.attempt > 1 ? `attempt ${p.attempt}` : '';
  return [percent, formatBytes(p.bytes), rate, listing, retry, item].filter((s) => s !== '').join('  ');
}

export function finalLine(label: string, r: TaskResult): string {
  const base = `${label}: ${r.filesTransferred} files, ${formatBytes(r.bytesTransferred)}`;
  const deleted = r.filesDeleted > 0 ? `, ${r.filesDeleted} deleted` : '';
  return `${base}${deleted} in ${formatDuration(r.durationMs)}${r.status === 'warning' ? ` (warning: ${r.meaning})` : ''}`;
}

/** `alpha` for a whole project; `alpha › sub/dir` or `alpha › (top level)` for the parts of a split one. */
export function taskLabel(task: SyncTask): string {
  if (task.kind === 'batch') return `${task.id} · ${task.projects?.length ?? 0} small projects`;
  // The root pass's id is `.` and the link pass's `./hard links` (ids no folder can take): named for people here.
  if (task.kind === 'root') return ROOT_PROJECT;
  if (task.kind === 'links') return `${ROOT_PROJECT} › hard links`;
  if (task.kind === 'project-top') return `${printableName(task.project)} › (top level)`;
  if (task.kind !== 'subtree') return printableName(task.id);
  const inside = task.relPath.slice(task.project.length + 1);
  const top = task.excludeTopLevelDirs !== 'all' && task.excludeTopLevelDirs.length > 0 ? ' (top level)' : '';
  return `${printableName(task.project)} › ${printableName(inside)}${top}`;
}

/** Parts of a split project listed together under its first (largest) part; otherwise the start order. */
export function groupedByProject(tasks: readonly SyncTask[]): SyncTask[] {
  const groups = new Map<string, SyncTask[]>();
  for (const t of tasks) groups.set(t.project, [...(groups.get(t.project) ?? []), t]);
  return [...groups.values()].flatMap((parts) => [...parts].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0)));
}
