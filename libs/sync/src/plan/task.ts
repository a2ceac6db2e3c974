/** Name used in reports for the pass that copies the entries lying directly in the source root. */
export const ROOT_PROJECT = '(root)';

/** One rsync process worth of work. Each task owns a subtree, so --delete inside it stays correct. */
export interface SyncTask {
  /** Unique within a run: the project name, `project/sub/dir` for a split part, or ROOT_PROJECT. */
  id: string;
  /** Project the task belongs to (ROOT_PROJECT for the root pass). */
  project: string;
  kind: 'project' | 'root' | 'subtree' | 'project-top';
  /** Path of the subtree relative to the source and destination roots ('' for the root itself). */
  relPath: string;
  /**
   * Top-level entries of the subtree that this task must leave alone (they belong to other
   * tasks). Excluded entries are also protected from --delete on the receiving side.
   */
  excludeTopLevelDirs: 'all' | string[];
  /** Relative cost used to start the largest work first (bytes or seconds from history, or an estimate). */
  weight: number;
}
