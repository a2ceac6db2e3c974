/** Name used in reports for the pass that copies the entries lying directly in the source root. */
export const ROOT_PROJECT = '(root)';

/**
 * Task id of the root pass. A project folder may be named like ROOT_PROJECT, but never `.`: ids of
 * projects and their parts are folder names, so this one cannot collide.
 */
export const ROOT_TASK_ID = '.';

/** Task id of the pass that links hard-linked files spanning several tasks (no folder name starts with `./`). */
export const LINKS_TASK_ID = './hard links';

/** One rsync process worth of work. Each task owns a subtree, so --delete inside it stays correct. */
export interface SyncTask {
  /** Unique within a run: the project name, `project/sub/dir` for a split part, ROOT_TASK_ID or LINKS_TASK_ID. */
  id: string;
  /** Project the task belongs to (ROOT_PROJECT for the root pass and the link pass). */
  project: string;
  /** 'links': rsync -H over the hard-linked files that span tasks (listed in `filesFrom`). */
  kind: 'project' | 'root' | 'subtree' | 'project-top' | 'batch' | 'links';
  /** Path of the subtree relative to the source and destination roots ('' for the root itself). */
  relPath: string;
  /**
   * Top-level entries of the subtree that this task must leave alone (they belong to other
   * tasks). Excluded entries are also protected from --delete on the receiving side.
   */
  excludeTopLevelDirs: 'all' | string[];
  /** Relative cost used to start the largest work first: estimated milliseconds (history or estimate). */
  weight: number;
  /** What the weight is based on, for `dailysync plan` and the report. */
  estimate?: TaskEstimate;
  /** kind 'batch' only: the small projects one rsync over the source root copies together (see plan/batch.ts). */
  projects?: string[];
  /** Filter rules written as bytes (NUL-separated, rsync --from0), merged after the other rules. */
  filterFile?: string;
  /** For 'links': the paths to copy (NUL-separated, `./`-prefixed, relative to the source root). */
  filesFrom?: string;
}

export interface TaskEstimate {
  /** Entries and bytes the task covers. */
  files: number;
  bytes: number;
  /**
   * 'history': measured by an earlier run; 'walk': counted now; 'walk-partial': the count ran out of
   * budget (a lower bound); 'none': no history and a source that cannot be walked (remote).
   */
  basis: 'history' | 'walk' | 'walk-partial' | 'none';
  /** True when files and bytes are the task's share of its project's figures (scaled by cost), not counted for the task itself. */
  scaled?: boolean;
}

/**
 * The project an entry of a task belongs to, by its path relative to the backup root: a batch copies
 * several projects, so its entries belong to their first path segment; other tasks own one project.
 */
export function projectOfEntry(task: Pick<SyncTask, 'kind' | 'project'>, relPath: string): string {
  return task.kind === 'batch' ? topFolderOf(relPath) : task.project;
}

/** The first segment of a path relative to a root: `alpha` for `alpha/sub/x`, the name itself at the top. */
export function topFolderOf(relPath: string): string {
  const slash = relPath.indexOf('/');
  return slash < 0 ? relPath : relPath.slice(0, slash);
}
