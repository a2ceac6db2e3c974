/** Name used in reports for the pass that copies the entries lying directly in the source root. */
export const ROOT_PROJECT = '(root)';

/** One rsync process worth of work. Each task owns a subtree, so --delete inside it stays correct. */
export interface SyncTask {
  /** Unique within a run: the project name, `project/sub/dir` for a split part, or ROOT_PROJECT. */
  id: string;
  /** Project the task belongs to (ROOT_PROJECT for the root pass). */
  project: string;
  kind: 'project' | 'root' | 'subtree' | 'project-top' | 'batch';
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
