import type { DirEstimate } from './estimate.js';
import type { SyncTask } from './task.js';

export interface SplitSettings {
  /** A subtree whose cost is above this becomes several tasks (when it has subdirectories to split by). */
  threshold: number;
  /** Most subdirectories split off one directory; the rest stay with its top-level pass. */
  maxPartsPerDir?: number;
  /** Subdirectories cheaper than this fraction of the threshold are not worth their own rsync. */
  minPartFraction?: number;
}

interface Candidate {
  name: string;
  node: DirEstimate;
  cost: number;
}

/**
 * Splits one project into tasks that each own a subtree, so --delete stays correct in each: the
 * largest subdirectories get their own rsync (recursively while still above the threshold, as
 * deep as the estimate went), and one pass per split directory copies the rest of it and excludes
 * the split-off children. That pass also deletes children removed from the source, because a
 * missing directory that is not excluded is deleted. Returns one 'project' task when nothing is
 * worth splitting. `cost` must be additive: a node's cost is the sum of its children's and its own files'.
 */
export function splitProject(project: string, tree: DirEstimate, cost: (node: DirEstimate) => number, settings: SplitSettings): SyncTask[] {
  const tasks = splitDir(project, project, tree, 0, cost, settings);
  const [only] = tasks;
  if (tasks.length === 1 && only) return [{ ...only, id: project, kind: 'project' }];
  return tasks;
}

function splitDir(project: string, relPath: string, node: DirEstimate, depth: number, cost: (node: DirEstimate) => number, settings: SplitSettings): SyncTask[] {
  const total = cost(node);
  const whole: SyncTask = { id: relPath, project, kind: depth === 0 ? 'project' : 'subtree', relPath, excludeTopLevelDirs: [], weight: total };
  if (total <= settings.threshold || node.children.size === 0) return [whole];
  const candidates: Candidate[] = [...node.children].map(([name, child]) => ({ name, node: child, cost: cost(child) }));
  // Largest first; names break ties so plans are deterministic.
  candidates.sort((a, b) => b.cost - a.cost || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const chosen: Candidate[] = [];
  let rest = total;
  for (const c of candidates) {
    if (rest <= settings.threshold || chosen.length >= (settings.maxPartsPerDir ?? 32)) break;
    if (c.cost < settings.threshold * (settings.minPartFraction ?? 0.1)) break;
    chosen.push(c);
    rest -= c.cost;
  }
  if (chosen.length === 0) return [whole];
  const top: SyncTask = {
    id: relPath,
    project,
    kind: depth === 0 ? 'project-top' : 'subtree',
    relPath,
    excludeTopLevelDirs: chosen.map((c) => c.name).sort(),
    weight: Math.max(0, rest),
  };
  const tasks = [top];
  for (const c of chosen) tasks.push(...splitDir(project, `${relPath}/${c.name}`, c.node, depth + 1, cost, settings));
  return tasks;
}
