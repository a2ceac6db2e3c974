import type { Discovery } from '../discovery/discover.js';
import { ROOT_PROJECT, ROOT_TASK_ID, type SyncTask } from './task.js';

export interface PlanInput {
  discovery: Discovery;
  /** Weight per project from earlier runs or estimates; larger runs first. */
  weights?: ReadonlyMap<string, number>;
}

/** One task per selected project plus the root pass, largest known work first. */
export function planTasks({ discovery, weights }: PlanInput): SyncTask[] {
  const tasks: SyncTask[] = discovery.projects
    .filter((p) => p.selected && p.rawName === undefined)
    .map((p) => ({ id: p.name, project: p.name, kind: 'project', relPath: p.name, excludeTopLevelDirs: [], weight: weights?.get(p.name) ?? 0 }));
  if (discovery.rootSelected) {
    tasks.push({ id: ROOT_TASK_ID, project: ROOT_PROJECT, kind: 'root', relPath: '', excludeTopLevelDirs: 'all', weight: weights?.get(ROOT_TASK_ID) ?? 0 });
  }
  // Stable sort: equal weights keep name order, so runs without history are deterministic.
  return tasks.sort((a, b) => b.weight - a.weight);
}
